"""Machinery of the authorisation matrix: who asks, for what, and what counts as a leak.

Roles
    agent, lead          billing staff            other_agent   support agent
    comms                central communications   admin         administrator
    outsider             signed in, no role        anon          not signed in
    key_read             API key: billing, read
    key_full             API key: billing, read + write + approve
    other_key            API key: support, read + write + approve

Targets: every URL is built for the billing object and for the support object of its kind
(and, for department staff and keys, for an id that does not exist). A staff member's or a key's
*own* target is their department's; the other one is *foreign*.

An expectation is a status per role. For department roles it is ``own(x)``: ``x`` on their own
department's object and 404 on the foreign one, or a pair ``(own, foreign)``; a plain number
means the same for both. ``other_agent`` is expected to behave as ``agent`` mirrored (support
is its own department) and ``other_key`` as ``key_full`` mirrored, so they are not written out.
"""

import re
from dataclasses import dataclass, field

from django.urls import URLResolver, get_resolver

GET, POST, PATCH = "GET", "POST", "PATCH"
UI_ROLES = ("agent", "lead", "other_agent", "comms", "admin", "outsider", "anon")
KEY_ROLES = ("key_read", "key_full", "other_key")
REFUSALS = (400, 403, 404, 405, 409)  # a write answered so must have changed nothing
HOME = {
    "agent": "billing",
    "lead": "billing",
    "other_agent": "support",
    "key_read": "billing",
    "key_full": "billing",
    "other_key": "support",
}
MIRRORS = {"other_agent": "agent", "other_key": "key_full"}
LOGIN = "login"  # a redirect to the login page
SKIPPED_PREFIXES = ("admin/", "api/schema/", "api/docs/")

Status = int | str
Pair = tuple[Status, Status]


def own(status: Status, foreign: Status = 404) -> Pair:
    """``status`` on the caller's own department's object, ``foreign`` (404) on the other."""
    return (status, foreign)


@dataclass(frozen=True)
class Expect:
    agent: Status | Pair
    lead: Status | Pair
    comms: Status
    admin: Status
    outsider: Status
    anon: Status | None = None  # None: LOGIN for pages, 401 for the API
    key_read: Status | Pair | None = None  # API routes only
    key_full: Status | Pair | None = None

    def status(self, role: str, target: str, *, api: bool) -> Status:
        """The expected status of ``role`` asking for ``target`` (billing/support)."""
        if role == "anon":
            return self.anon if self.anon is not None else (401 if api else LOGIN)
        value = getattr(self, MIRRORS.get(role, role))
        if isinstance(value, tuple):
            return value[0] if target == HOME[role] else value[1]
        return value

    @property
    def public(self) -> bool:
        """A page anonymous callers may use (its ``anon`` status is written out)."""
        return self.anon is not None


@dataclass(frozen=True)
class Case:
    """One request shape for a route: method, body/query (with ``{placeholders}``) and the
    expected statuses. ``path`` fixes non-object path parameters (a panel's name, an op)."""

    method: str
    expect: Expect
    body: dict | None = None
    query: str = ""
    path: dict = field(default_factory=dict)
    label: str = ""
    refused: tuple[str, ...] = ()  # roles refused with a redirect: the database must not change


# --- routes --------------------------------------------------------------------------------
def all_routes() -> list[str]:
    """Every URL pattern of the URL conf, includes flattened, minus admin and the API docs."""
    routes: list[str] = []

    def walk(resolver, prefix: str = "") -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route)
            else:
                routes.append(route)

    walk(get_resolver())
    return [r for r in routes if not r.startswith(SKIPPED_PREFIXES)]


PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
# path parameter -> the world's object kind; ambiguous names depend on the route
OBJECT_OF_PARAM = {
    "mention_id": "mention",
    "slug": "slug",
    "reply_id": "reply",
    "incident_id": "incident",
    "guideline_id": "guideline",
    "alert_id": "alert",
    "subscription_id": "webhook",
    "prefix": "key_prefix",
    "limit_id": "limit",
    "holiday_id": "holiday",
    "email_id": "email",
    "user_id": "person",
}


def _object_of(route: str, param: str) -> str:
    if param == "policy_id":
        return "sla_policy" if route.startswith("hub/sla/") else "compensation_policy"
    if param == "rule_id":
        return "escalation_rule" if route.startswith("hub/escalation/") else "routing_rule"
    return OBJECT_OF_PARAM[param]


def has_target(route: str, case: Case) -> bool:
    """Whether the request names a department's object (in the path, the body or the query)."""
    names = [n for n in PARAM.findall(route) if n not in case.path]
    text = repr(case.body) + case.query
    return bool(names) or "{" in text


MISSING = {"slug": "nowhere", "other_slug": "billing", "key_prefix": "nowhere", "member": "agent"}


def ids_for(world, target: str) -> dict:
    if target == "missing":
        ids = {k: MISSING.get(k, 999_999) for k in world.ids["billing"]}
        ids["other_slug"] = MISSING["other_slug"]
        return ids
    other = "support" if target == "billing" else "billing"
    return {**world.ids[target], "other_slug": other}


def build_url(route: str, case: Case, ids: dict) -> str:
    def fill(match):
        name = match.group(1)
        if name in case.path:
            return str(case.path[name])
        return str(ids[_object_of(route, name)])

    url = "/" + PARAM.sub(fill, route)
    if case.query:
        url += "?" + case.query.format(**ids)
    return url


def build_body(case: Case, ids: dict):
    def fill(value):
        if isinstance(value, str):
            text = value.format(**ids)
            return int(text) if value in ("{mention}", "{update}") and text.isdigit() else text
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(case.body or {})
