"""Scopes: ``read`` for GET, ``write`` for changes, ``approve`` for approval actions.

Browser sessions carry no scopes: what a person may do is decided by the services and
selectors from their object permissions, exactly as in the web UI.
"""

from rest_framework import permissions

from api.authentication import integration_key

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def required_scope(request, view) -> str:
    explicit = getattr(view, "required_scope", None)
    if explicit:
        return explicit
    return "read" if request.method in SAFE_METHODS else "write"


class HasScope(permissions.BasePermission):
    """An integration key must hold the scope the operation needs."""

    message = "This API key lacks the scope this operation needs."

    def has_permission(self, request, view) -> bool:
        key = integration_key(request)
        if key is None:
            return True
        scope = required_scope(request, view)
        if not key.has_scope(scope):
            self.message = f"This API key lacks the '{scope}' scope."
            return False
        return True


DEFAULT_PERMISSIONS = [permissions.IsAuthenticated, HasScope]
