import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect


class SessionTimeoutMiddleware:
    """Idle and absolute session lifetimes: a forgotten tab in a shared office logs itself out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault("_started_at", now)
            last_seen = session.get("_seen_at", now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            if now - last_seen > 30:  # write the session at most twice a minute
                session["_seen_at"] = now
        return self.get_response(request)


class PermissionMemoMiddleware:
    """Department permissions looked up once per page, not once per check.

    A page asks several times which departments its user may see or work (the header, the
    view, the template); each answer is a django-guardian query. The memo lives on this
    request's user object only: the next request, or a websocket (whose user object outlives
    many changes), asks the database again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from spokes.selectors import memoise_permissions

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memoise_permissions(user)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Security headers Django does not set by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response
