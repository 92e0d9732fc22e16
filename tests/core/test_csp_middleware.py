"""core.middleware.CSPMiddleware keeps the policies built from the settings; every response
gets the headers django-csp's own middleware gives it."""

import pytest
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory, override_settings

from core.middleware import CSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["https:"]}}


def _view(kind):
    def view(request):
        response = JsonResponse({"ok": True}) if kind == "json" else HttpResponse("<p>hi</p>")
        if kind == "nonce":
            response = HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")
        elif kind == "update":
            response._csp_update = {"img-src": ["https://cdn.example"]}
        elif kind == "replace_ro":
            response._csp_replace_ro = {"img-src": ["data:"]}
        elif kind == "exempt":
            response._csp_exempt = True
        elif kind == "preset":
            response["Content-Security-Policy"] = "default-src 'none'"
        return response

    return view


def _headers(middleware_class, kind, path="/d/billing/"):
    request = RequestFactory().get(path)
    response = middleware_class(_view(kind))(request)
    return {name: response.headers.get(name) for name in HEADERS}, request


KINDS = ["html", "json", "nonce", "update", "replace_ro", "exempt", "preset"]


@pytest.mark.parametrize("kind", KINDS)
def test_headers_as_django_csp_gives_them(kind):
    ours, _ = _headers(CSPMiddleware, kind)
    theirs, _ = _headers(DjangoCSPMiddleware, kind)
    assert ours == theirs
    if kind in ("html", "json"):
        assert "script-src 'self'" in ours["Content-Security-Policy"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_report_only_policy_and_a_changed_policy_are_followed(kind):
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=REPORT_ONLY):
        ours, _ = _headers(CSPMiddleware, kind)
        theirs, _ = _headers(DjangoCSPMiddleware, kind)
        assert ours == theirs
        assert "img-src" in ours["Content-Security-Policy-Report-Only"]
    changed = {"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/api/"]}
    with override_settings(CONTENT_SECURITY_POLICY=changed):
        for path in ("/d/billing/", "/api/v1/mentions/"):
            ours, _ = _headers(CSPMiddleware, kind, path)
            theirs, _ = _headers(DjangoCSPMiddleware, kind, path)
            assert ours == theirs
    # and back: the kept policy follows the settings again
    ours, _ = _headers(CSPMiddleware, kind)
    assert ours == _headers(DjangoCSPMiddleware, kind)[0]
    assert ours["Content-Security-Policy-Report-Only"] is None


def test_a_nonce_asked_for_after_the_headers_is_an_error():
    from csp.exceptions import CSPNonceError

    _, request = _headers(CSPMiddleware, "html")
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
