"""Domain errors raised by services and mapped to one error shape at the edges."""


class DomainError(Exception):
    """A request that the domain refuses; ``field`` names the offending input if any."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """Missing, or not visible to the caller: the two are indistinguishable on purpose."""

    status_code = 404


class PermissionDenied(DomainError):
    """The caller may see the object but not do this to it."""

    status_code = 403


class Conflict(DomainError):
    """The object changed state: an illegal transition or someone else got there first."""

    status_code = 409


class TooManyAttempts(DomainError):
    """Refused for now: too many wrong attempts in a short time."""

    status_code = 429
