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


# How a refusal's field is named to a person (a page's message, a toast); the API keeps the
# codes. None: the message stands alone (a state, not something typed).
FIELD_LABELS: dict[str, str | None] = {
    "ids": "Selection",
    "params": "Filters",
    "mention_ids": "Mentions",
    "q": "Search",
    "url": "URL",
    "url_pattern": "URL pattern",
    "dm_link": "DM link",
    "sla_minutes": "SLA minutes",
    "sla_condition": "SLA condition",
    "guideline_version_id": "Guideline version",
    "update_id": "Update",
    "incident_id": "Incident",
    "org_role": "Organisation role",
    "state": None,
    "status": None,
    "claimed_by": None,
    "version": None,
    "confirm": None,
}


def for_people(exc: DomainError) -> str:
    """A refusal as a page shows it: "Title: The title cannot be empty.", not the field's code."""
    if not exc.field:
        return exc.message
    label = FIELD_LABELS.get(exc.field, exc.field.replace("_", " ").capitalize())
    return f"{label}: {exc.message}" if label else exc.message
