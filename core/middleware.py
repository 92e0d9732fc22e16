import ipaddress
import time
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import logout
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect


class RequestOriginMiddleware:
    """Keeps the client's address for the request's duration: audit rows written by any
    service while it is served say where the action came from (``accounts.audit``)."""

    def __init__(self, get_response):
        from accounts.audit import request_ip

        self.get_response = get_response
        self.request_ip = request_ip

    def __call__(self, request):
        token = self.request_ip.set(_client_ip(request.META.get("REMOTE_ADDR")))
        try:
            return self.get_response(request)
        finally:
            self.request_ip.reset(token)


def _client_ip(address: str | None) -> str | None:
    """The address if it is one (a unix socket's peer has none): the column is an IP."""
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


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


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_MESSAGE = "Text may not contain NUL characters (\\x00)."


def _nul_field(data) -> str | None:
    """The first parameter of ``data`` (a QueryDict) whose name or a value holds a NUL."""
    for name, values in data.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "\\x00")
    return None


class NulInputMiddleware:
    """A NUL character in a query parameter or a form field is refused with a 400 naming it;
    one in the path (``%00``) is a 404.

    PostgreSQL stores no NUL in text (nor in JSON text): a form field carrying one reached the
    database and failed there, a 500, wherever a view took the field as typed (a reason, a
    note, a title). Here no view sees one. Uploaded files are not text fields and pass as they
    are; the API's JSON bodies are its fields' to check (DRF's text fields refuse NUL)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        if "\x00" in request.path_info:  # names no page or object
            if api:
                return _api_error(404, "not_found", "Not found.")
            raise Http404("No such page.")
        field = _nul_field(request.GET)
        if field is None and request.method == "POST" and request.content_type in FORM_TYPES:
            field = _nul_field(request.POST)
        if field is None:
            return self.get_response(request)
        if api:
            return _api_error(400, "invalid", NUL_MESSAGE, {field: [NUL_MESSAGE]})
        return HttpResponseBadRequest(
            f"{field}: {NUL_MESSAGE}", content_type="text/plain; charset=utf-8"
        )


def _api_error(status: int, code: str, message: str, fields: dict | None = None):
    """An answer in the API's one error shape (api/errors.py)."""
    from api.errors import error_body

    return JsonResponse(error_body(code, message, fields), status=status)


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


# What a view can set on its response to change its policy (django-csp's decorators).
_PER_RESPONSE = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)


@cache
def _policies_from_settings() -> tuple:
    """(header, policy, exemption attribute, excluded path prefixes) for each of the two
    headers, as django-csp builds them from the settings."""
    rows = []
    for header, setting, exempt, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        policy = build_policy(report_only=report_only)
        prefixes = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        rows.append((header, policy, exempt, prefixes))
    return tuple(rows)


@receiver(setting_changed)
def _policies_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies_from_settings.cache_clear()


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware, with the policies built from the settings built once.

    django-csp builds both headers again for every response (74 us, a fortieth of an API
    POST). A response whose request used no nonce and whose view changed nothing gets the
    same strings every time: those are kept; anything else goes through django-csp."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # django-csp leaves the debug pages alone
        for header, policy, exempt, prefixes in _policies_from_settings():
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
