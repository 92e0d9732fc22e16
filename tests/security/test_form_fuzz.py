"""Hostile values in every web form field, query parameter and path parameter: never a 500.

The authorisation matrix (``test_authorization_matrix``) sends each form of the web UI once,
with good values, as every role. Here each of those forms is sent as a role that may use it
(administrator, then central comms, then a lead, on billing's objects) with one field at a
time replaced by a hostile value: empty, blank, signs and huge numbers, what Python's
``float`` and ``Decimal`` parse but no form should take (NaN, infinity, exponents), a NUL
character (PostgreSQL cannot store it), a 10,000-character string, a malformed date, a path,
markup, an emoji, and the field sent twice. Then every page and API read with hostile query
parameters, and every route with a path parameter with hostile values in it. Every request
runs in a transaction rolled back afterwards, on the matrix's world.
"""

import dataclasses
from urllib.parse import urlencode

import pytest

from tests.security.matrix import GET, LOGIN, PARAM, POST, build_body, build_url, ids_for
from tests.security.test_authorization_matrix import CASES, ROUTES, Caller, _run

pytestmark = pytest.mark.django_db

ROLES = ("admin", "comms", "lead")
HOSTILE = (
    "",
    "   ",
    "-1",
    "0",
    "99999999999999999999999999",
    "NaN",
    "-inf",
    "1e309",
    "2e1",
    "a\x00b",
    "x" * 10_000,
    "2026-13-45",
    "../../etc/passwd",
    '<script>alert(1)</script>"',
    "\U0001f642",
)


def _role_for(route: str, case, accept) -> str | None:
    """The first role whose expected status on billing's objects ``accept`` takes: a full API
    key on the API; an administrator, central comms, then a lead on the pages."""
    api = route.startswith("api/")
    for role in ("key_full",) if api else ROLES:
        if accept(case.expect.status(role, "billing", api=api)):
            return role
    return None


def _allowed(status) -> bool:
    return status != LOGIN and isinstance(status, int) and status < 400


def _forms() -> list[tuple[str, object, str]]:
    """(route, case, role) for each UI form some role may send on billing's objects."""
    forms = []
    for route in ROUTES:
        if route.startswith("api/"):
            continue
        for case in CASES.get(route, ()):
            if case.method == POST and case.body and (role := _role_for(route, case, _allowed)):
                forms.append((route, case, role))
    return forms


FORMS = _forms()


def _label(form) -> str:
    route, case, role = form
    return f"/{route} {case.label or ''} as {role}".replace("  ", " ")


def test_the_fuzz_covers_the_web_forms():
    """Guards the selection itself: the forms the matrix knows, each under a role allowed
    to send it (an empty selection would pass every test below)."""
    assert len(FORMS) >= 25, [_label(f) for f in FORMS]


@pytest.mark.parametrize("form", FORMS, ids=_label)
def test_hostile_values_in_a_form_never_make_a_server_error(world, form):
    route, case, role = form
    caller = Caller(world, role)
    ids = ids_for(world, "billing")
    url, good = build_url(route, case, ids), build_body(case, ids)
    problems = []
    for field in good:
        variants = [*HOSTILE, [str(good[field]), str(good[field])]]
        for value in variants:
            body = {**good, field: value}
            status, response, _ = _run(caller, case, url, body, api=False)
            if status >= 500:
                shown = value if len(str(value)) < 40 else f"{str(value)[:20]}... ({len(value)})"
                problems.append(f"{field}={shown!r}: {status} {response}")
    assert not problems, f"{_label(form)} at {url}:\n" + "\n".join(problems)


# Every query parameter a page or the API reads somewhere (filters, cursors, periods, sorts).
PARAMS = [
    "a",
    "action",
    "assignee",
    "b",
    "contact_point",
    "cursor",
    "days",
    "department",
    "end",
    "from",
    "guideline_version",
    "incident",
    "keyword",
    "kind",
    "limit",
    "metric",
    "next",
    "open",
    "p",
    "page",
    "partial",
    "priority",
    "q",
    "sentiment",
    "severity",
    "since",
    "sort",
    "source",
    "start",
    "status",
    "tag",
    "term",
    "to",
    "until",
    "updated_after",
    "username",
]
# Each parameter alone: the values that parse as something (numbers, dates) but name nothing.
ALONE = ("99999999999999999999999999", "2026-13-45")
# Every parameter at once: the hostile values of the forms less those a query string reads the
# same way as one of these (blank, "0", "2e1", a path, markup).
AT_ONCE = ("", "-1", "NaN", "-inf", "1e309", "a\x00b", "x" * 10_000, "2026-13-45", "\U0001f642")


def _pages() -> list[tuple[str, object, str]]:
    """(route, case, role) for each page or API read some role gets on billing's objects."""
    pages = []
    for route in ROUTES:
        for case in CASES.get(route, ()):
            if case.method == GET and (role := _role_for(route, case, lambda s: s == 200)):
                pages.append((route, case, role))
    return pages


PAGES = _pages()


def test_the_fuzz_covers_the_pages():
    assert len(PAGES) >= 50, [_label(p) for p in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=_label)
def test_hostile_query_parameters_never_make_a_server_error(world, page):
    """Every known parameter at once with each hostile value; where the page refused one of
    those (a 4xx: it may have stopped at the first parameter it checked and never read the
    others), each parameter alone with the values that parse as something but name nothing."""
    route, case, role = page
    api = route.startswith("api/")
    caller = Caller(world, role)
    url = build_url(route, case, ids_for(world, "billing")).split("?")[0]
    problems, refused = [], False

    def send(query: dict) -> None:
        nonlocal refused
        status, response, _ = _run(caller, case, f"{url}?{urlencode(query)}", None, api=api)
        nul = any("\x00" in value for value in query.values())  # refused before any view
        refused = refused or (400 <= status < 500 and not nul)
        if status >= 500:
            shown = {k: (v if len(v) < 40 else f"{v[:20]}... ({len(v)})") for k, v in query.items()}
            where = shown if len(query) == 1 else "all: " + repr(shown)[:80]
            problems.append(f"{where}: {status} {response}")

    for value in AT_ONCE:
        send(dict.fromkeys(PARAMS, value))
    if refused:
        for name in PARAMS:
            for value in ALONE:
                send({name: value})
    assert not problems, f"{_label(page)} at {url}:\n" + "\n".join(problems[:10])


# What a path parameter might hold instead of an id or a slug (percent-encoded as sent).
PATH_VALUES = (
    "0",
    "-1",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "%00",
    "a%00b",
    "x" * 300,
    "%F0%9F%99%82",
    "%20",
    "..%2F..",
)


def _routes_with_params() -> list[tuple[str, object, str]]:
    """(route, its first case, a role that may use it) for each route with a path parameter."""
    found = []
    for route in ROUTES:
        if PARAM.search(route) and CASES.get(route):
            case = CASES[route][0]
            role = _role_for(route, case, lambda s: s != LOGIN)
            found.append(
                (route, case, role or ("key_full" if route.startswith("api/") else "admin"))
            )
    return found


PARAM_ROUTES = _routes_with_params()


def test_the_fuzz_covers_the_routes_with_path_parameters():
    assert len(PARAM_ROUTES) >= 50, [_label(r) for r in PARAM_ROUTES]


@pytest.mark.parametrize("target", PARAM_ROUTES, ids=_label)
def test_hostile_path_parameters_never_make_a_server_error(world, target):
    """Each path parameter in turn replaced by a value that names nothing (a route whose
    converter refuses it is a 404 from the URL conf, which is fine too)."""
    route, case, role = target
    api = route.startswith("api/")
    caller = Caller(world, role)
    ids = ids_for(world, "billing")
    body = build_body(case, ids) if case.method != GET else None
    problems = []
    for name in PARAM.findall(route):
        for value in PATH_VALUES:
            hostile = dataclasses.replace(case, path={**case.path, name: value})
            url = build_url(route, hostile, ids)
            status, response, _ = _run(caller, case, url, body, api=api)
            if status >= 500:
                problems.append(f"{name}={value[:30]!r}: {status} {response}")
    assert not problems, f"{_label(target)}:\n" + "\n".join(problems)
