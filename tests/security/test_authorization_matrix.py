"""Every URL (pages and API) x every role x own/foreign department -> the expected status.

The table below (``CASES``) holds one or more request shapes per URL pattern of the URL conf
with the status every role must get (see ``tests/security/matrix.py`` for the notation). A URL
pattern without an entry fails ``test_every_url_pattern_has_expectations``: a new URL cannot
slip in untested. Besides the exact statuses, every request is held to these rules:

* no 500, ever;
* anonymous callers are sent to the login page (pages) or get 401 (API);
* for department staff and API keys, the other department's object answers exactly like an
  object that does not exist (so 404; 403 only where a gate before the lookup refuses
  everyone alike), is never a success, and a refused write changes nothing in the database;
* nothing a department-bound caller receives contains the other department's data (every
  piece of department data in the world carries a BILLING-SECRET / SUPPORT-SECRET marker).

Requests that may write run in a savepoint that is rolled back, so every role meets the same
world and an allowed action (say, an administrator deleting an SLA policy) affects no other
request.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from tests.security.conftest import MARKER
from tests.security.matrix import (
    GET,
    HOME,
    KEY_ROLES,
    LOGIN,
    PATCH,
    POST,
    REFUSALS,
    UI_ROLES,
    Status,
    Case,
    Expect,
    all_routes,
    build_body,
    build_url,
    has_target,
    ids_for,
    own,
)

pytestmark = pytest.mark.django_db

# --- expectations ----------------------------------------------------------------------------
# Shapes that recur. "Gate" = a role check made before any object is looked up: it answers the
# same for every object, existing or not, so it reveals nothing.
NOT_ALLOWED_GET = Expect(agent=405, lead=405, comms=405, admin=405, outsider=405)
HUB_READ = Expect(agent=200, lead=200, comms=200, admin=200, outsider=403)  # staff + comms
HUB_EDIT = Expect(agent=403, lead=403, comms=200, admin=200, outsider=403)  # gate: 403
HUB_EDIT_POST_ONLY = Expect(agent=403, lead=403, comms=405, admin=405, outsider=403)
COMMS_ONLY = Expect(agent=404, lead=404, comms=200, admin=200, outsider=404)  # gate: 404
ADMIN_ONLY = Expect(agent=404, lead=404, comms=404, admin=200, outsider=404)  # gate: 404
SIGNED_IN = Expect(agent=200, lead=200, comms=200, admin=200, outsider=200)
# an object of a department, readable by its staff, central comms and administrators
DEPT_READ = Expect(agent=own(200), lead=own(200), comms=200, admin=200, outsider=404)
DEPT_READ_API = Expect(
    agent=own(200), lead=own(200), comms=200, admin=200, outsider=404,
    key_read=own(200), key_full=own(200),
)  # fmt: skip
API_LIST = Expect(
    agent=200, lead=200, comms=200, admin=200, outsider=200, key_read=200, key_full=200
)
API_POST_ONLY_GET = Expect(
    agent=405, lead=405, comms=405, admin=405, outsider=405, key_read=405, key_full=405
)
API_READ_ONLY_POST = Expect(
    agent=405, lead=405, comms=405, admin=405, outsider=405, key_read=403, key_full=405
)  # the read key lacks 'write' (checked first); everyone else: method not allowed

TBD = Expect(agent=0, lead=0, comms=0, admin=0, outsider=0, key_read=0, key_full=0)

INCIDENT_OPS = {
    "status": {"action": "monitor"},
    "resolve": {"note": "Fixed."},
    "reopen": {},
    "edit": {"severity": "minor"},
    "fact": {"text": "Card payments fail since 09:00."},
    "holding": {"text": "We are aware of the issue and are monitoring its development."},
    "draft-update": {"body": "Payments work again."},
    "approve-update": {"update_id": "{update}"},
    "bulk-respond": {"update_id": "{update}"},
    "message": {"body": "Who is on call?"},
    "add-member": {"username": "outsider", "role": "Scribe"},
    "remove-member": {"username": "comms"},
    "link": {"mention_id": "{mention}"},
    "link-filter": {"department": "{slug}"},
    "unlink": {"mention_id": "{mention}"},
}
PANELS = ("header", "holding", "team", "facts", "updates", "discussion", "mentions")
PANELS += ("outreach", "summary")
MENTION_ACTIONS = {
    "assign_me": {"action": "assign_me"},
    "assign": {"action": "assign", "assignee": "{member}"},
    "priority": {"action": "priority", "priority": "3"},
    "transfer": {"action": "transfer", "department": "{other_slug}", "reason": "theirs"},
    "tag": {"action": "tag", "tags": "refund"},
    "watch": {"action": "watch"},
}
INGEST = {
    "source": "twitter",
    "external_id": "matrix-1",
    "author": {"handle": "matrix"},
    "text": "Where is my refund?",
    "department": "{slug}",
}

CASES: dict[str, list[Case]] = {
    # --- core ----------------------------------------------------------------------------------
    "": [Case(GET, TBD)],
    "login/": [Case(GET, TBD), Case(POST, TBD)],
    "logout/": [Case(GET, TBD), Case(POST, TBD)],
    "healthz": [Case(GET, TBD)],
    "notifications/": [Case(GET, TBD)],
    "notifications/read/": [Case(GET, TBD), Case(POST, TBD)],
    "audit/": [Case(GET, TBD)],
    # --- hub -----------------------------------------------------------------------------------
    "hub/": [Case(GET, TBD)],
    "hub/guidelines/": [Case(GET, TBD)],
    "hub/guidelines/new/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/guidelines/preview/": [Case(GET, TBD), Case(POST, TBD, {"body": "Hi"})],
    "hub/guidelines/<int:guideline_id>/": [Case(GET, TBD)],
    "hub/guidelines/<int:guideline_id>/edit/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/guidelines/<int:guideline_id>/versions/new/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/guidelines/<int:guideline_id>/approve/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/guidelines/<int:guideline_id>/retire/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/guidelines/<int:guideline_id>/diff/": [Case(GET, TBD, query="a=1&b=1")],
    "hub/faq/": [Case(GET, TBD)],
    "hub/compensation/": [Case(GET, TBD)],
    "hub/compensation/new/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/compensation/<int:policy_id>/edit/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/compensation/limits/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/compensation/limits/<int:limit_id>/delete/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/sla/": [Case(GET, TBD)],
    "hub/sla/policies/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/sla/policies/<int:policy_id>/delete/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/sla/holidays/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/sla/holidays/<int:holiday_id>/delete/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/sla/<slug:slug>/hours/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/escalation/": [Case(GET, TBD)],
    "hub/escalation/new/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/escalation/<int:rule_id>/edit/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/escalation/<int:rule_id>/delete/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/routing/": [Case(GET, TBD)],
    "hub/routing/new/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/routing/default/": [Case(GET, TBD), Case(POST, TBD, {"department": "{slug}"})],
    "hub/routing/<int:rule_id>/edit/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/routing/<int:rule_id>/move/": [Case(GET, TBD), Case(POST, TBD, {"direction": "up"})],
    "hub/routing/<int:rule_id>/delete/": [Case(GET, TBD), Case(POST, TBD)],
    "hub/departments/": [Case(GET, TBD)],
    "hub/departments/<slug:slug>/": [Case(GET, TBD), Case(POST, TBD)],
    # --- replies -------------------------------------------------------------------------------
    "replies/approvals/": [Case(GET, TBD)],
    "replies/<int:reply_id>/review/": [Case(GET, TBD)],
    "replies/<int:reply_id>/decide/": [
        Case(GET, TBD),
        Case(POST, TBD, {"decision": "approve"}),
    ],
    "replies/<int:reply_id>/action/": [
        Case(GET, TBD),
        Case(POST, TBD, {"action": "update", "text": "Edited"}),
    ],
    "replies/m/<int:mention_id>/compose/": [
        Case(GET, TBD),
        Case(POST, TBD, {"text": "Hello", "kind": "public", "intent": "draft"}),
    ],
    "replies/m/<int:mention_id>/check/": [Case(GET, TBD), Case(POST, TBD, {"text": "Hello"})],
    "replies/m/<int:mention_id>/template/": [Case(GET, TBD)],
    # --- incidents -----------------------------------------------------------------------------
    "incidents/": [Case(GET, TBD)],
    "incidents/declare/": [
        Case(GET, TBD),
        Case(POST, TBD, {"title": "Outage", "departments": ["{slug}"]}),
    ],
    "incidents/for-mention/<int:mention_id>/": [Case(GET, TBD)],
    "incidents/<int:incident_id>/": [Case(GET, TBD)],
    "incidents/<int:incident_id>/panel/<slug:name>/": [
        Case(GET, TBD, path={"name": name}, label=name) for name in PANELS
    ],
    "incidents/<int:incident_id>/do/<slug:op>/": [
        Case(GET, TBD, path={"op": "fact"}),
        *(Case(POST, TBD, body, path={"op": op}, label=op) for op, body in INCIDENT_OPS.items()),
    ],
    # --- insights ------------------------------------------------------------------------------
    "insights/": [Case(GET, TBD, query="department={slug}")],
    "insights/export.csv": [Case(GET, TBD, query="metric=volume_source&department={slug}")],
    # --- spokes --------------------------------------------------------------------------------
    "mine/": [Case(GET, TBD)],
    "d/<slug:slug>/": [Case(GET, TBD)],
    "d/<slug:slug>/bulk/": [
        Case(GET, TBD),
        Case(POST, TBD, {"ids": ["{mention}"], "action": "watch"}),
    ],
    "m/<int:mention_id>/": [Case(GET, TBD)],
    "m/<int:mention_id>/action/": [
        Case(GET, TBD),
        *(Case(POST, TBD, body, label=name) for name, body in MENTION_ACTIONS.items()),
    ],
    "m/<int:mention_id>/notes/": [Case(GET, TBD), Case(POST, TBD, {"body": "Internal"})],
    "alerts/": [Case(GET, TBD)],
    "alerts/<int:alert_id>/": [Case(GET, TBD)],
    "alerts/<int:alert_id>/do/": [
        Case(GET, TBD),
        Case(POST, TBD, {"action": "dismiss", "reason": "noise"}),
    ],
    # --- administrators' API pages ---------------------------------------------------------------
    "api/keys/": [Case(GET, TBD), Case(POST, TBD)],
    "api/keys/<str:prefix>/revoke/": [Case(GET, TBD), Case(POST, TBD)],
    "api/webhooks/": [Case(GET, TBD), Case(POST, TBD)],
    "api/webhooks/<int:subscription_id>/": [Case(GET, TBD)],
    "api/webhooks/<int:subscription_id>/active/": [
        Case(GET, TBD),
        Case(POST, TBD, {"active": "0"}),
    ],
    # --- REST API ------------------------------------------------------------------------------
    "api/v1/mentions/": [Case(GET, TBD), Case(POST, TBD, INGEST)],
    "api/v1/mentions/<str:mention_id>/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/mentions/<str:mention_id>/status/": [
        Case(GET, TBD),
        Case(POST, TBD, {"action": "watch"}),
    ],
    "api/v1/mentions/<str:mention_id>/assignment/": [
        Case(GET, TBD),
        Case(POST, TBD, {"assignee": None}),
    ],
    "api/v1/mentions/<str:mention_id>/transfer/": [
        Case(GET, TBD),
        Case(POST, TBD, {"department": "{other_slug}", "reason": "theirs"}),
    ],
    "api/v1/mentions/<str:mention_id>/notes/": [
        Case(GET, TBD),
        Case(POST, TBD, {"body": "Internal"}),
    ],
    "api/v1/mentions/<str:mention_id>/replies/": [
        Case(GET, TBD),
        Case(POST, TBD, {"text": "Hello"}),
    ],
    "api/v1/departments/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/departments/<str:slug>/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/guidelines/": [Case(GET, TBD)],
    "api/v1/guidelines/<str:guideline_id>/": [Case(GET, TBD)],
    "api/v1/compensation-policies/": [Case(GET, TBD)],
    "api/v1/replies/<str:reply_id>/": [Case(GET, TBD), Case(PATCH, TBD, {"text": "Edited"})],
    "api/v1/replies/<str:reply_id>/submit/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/replies/<str:reply_id>/retry/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/replies/<str:reply_id>/claim/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/replies/<str:reply_id>/approve/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/replies/<str:reply_id>/request-changes/": [
        Case(GET, TBD),
        Case(POST, TBD, {"comment": "Softer, please."}),
    ],
    "api/v1/replies/<str:reply_id>/reject/": [Case(GET, TBD), Case(POST, TBD)],
    "api/v1/approvals/": [Case(GET, TBD)],
    "api/v1/incidents/": [Case(GET, TBD)],
    "api/v1/incidents/<str:incident_id>/": [Case(GET, TBD)],
    "api/v1/incidents/<str:incident_id>/facts/": [
        Case(GET, TBD),
        Case(POST, TBD, {"text": "Card payments fail."}),
    ],
    "api/v1/incidents/<str:incident_id>/updates/": [
        Case(GET, TBD),
        Case(POST, TBD, {"body": "Payments work again."}),
    ],
    "api/v1/incidents/<str:incident_id>/mentions/": [
        Case(GET, TBD),
        Case(POST, TBD, {"mention_ids": ["{mention}"]}),
    ],
}


# --- the checks ------------------------------------------------------------------------------
# Tables a refused write must leave alone (caches, counters and the audit log excluded: a
# refusal may be audited).
NOT_FINGERPRINTED = {
    "accounts.auditevent",
    "core.workerheartbeat",
    "spokes.spikecounter",
    "insights.dailyvolume",
    "insights.hourlyvolume",
    "insights.rolluprun",
    "insights.snapshot",
}
PROJECT_APPS = ("accounts", "core", "spokes", "replies", "incidents", "hub", "api", "insights")


def _fingerprint(world) -> tuple:
    """Row counts of every project table (one query), and both departments' main objects."""
    from incidents.models import Incident
    from replies.models import Reply
    from spokes.models import Mention

    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and model._meta.label_lower not in NOT_FINGERPRINTED
    )
    with connection.cursor() as cursor:
        counts = ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    ids = [world.ids[d] for d in ("billing", "support")]
    return (
        row,
        list(Mention.objects.filter(pk__in=[i["mention"] for i in ids]).order_by("pk").values()),
        list(Reply.objects.filter(pk__in=[i["reply"] for i in ids]).order_by("pk").values()),
        list(Incident.objects.filter(pk__in=[i["incident"] for i in ids]).order_by("pk").values()),
    )


class Caller:
    """One role's client: a browser session (signed in once, in the world) or an API key."""

    def __init__(self, world, role: str):
        self.role = role
        if role in KEY_ROLES:
            self.client = Client(HTTP_AUTHORIZATION=f"Api-Key {world.keys[role]}")
        else:
            self.client = Client()
        self.session = world.sessions.get(role)

    def request(self, method: str, url: str, body, *, api: bool):
        # a logout or a login cycles the session: every request starts from the same one
        if self.session:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.session
        else:
            self.client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        call = getattr(self.client, method.lower())
        if api:
            if method == GET:
                return call(url)
            return call(url, body, content_type="application/json")
        return call(url, body if method != GET else None, HTTP_HX_REQUEST="true")


def _run(caller: Caller, case: Case, url: str, body, *, api: bool, before=None):
    """(status, response or error text, whether the database still matches ``before``)."""
    unchanged = True
    with transaction.atomic():
        try:
            response = caller.request(case.method, url, body, api=api)
        except Exception as exc:  # the test client re-raises what would be a 500
            transaction.set_rollback(True)
            return 500, f"{type(exc).__name__}: {exc}", unchanged
        if before is not None:
            unchanged = _fingerprint(before[0]) == before[1]
        transaction.set_rollback(True)
    return response.status_code, response, unchanged


def _outcome(status: int, response) -> Status:
    if status == 302 and response["Location"].startswith(settings.LOGIN_URL_PATH):
        return LOGIN
    return status


def _problems(world, route: str, case: Case) -> list[str]:
    api = route.startswith("api/v1/")
    roles = UI_ROLES + (KEY_ROLES if api else ())
    if api and case.expect.key_read is None:
        return [f"{case.method} /{route}: an API route needs key_read/key_full expectations"]
    if not api and case.expect.key_read is not None:
        return [f"{case.method} /{route}: keys are for API routes only"]
    targeted = has_target(route, case)
    name = f"{case.method} /{route}" + (f" [{case.label}]" if case.label else "")
    snapshot = None if case.method == GET else (world, _fingerprint(world))
    problems = []
    for role in roles:
        caller = Caller(world, role)
        bound = role in HOME  # department staff and keys
        targets = ("billing", "support") if targeted else ("billing",)
        if targeted and bound:
            targets += ("missing",)
        seen = {}
        for target in targets:
            ids = ids_for(world, target)
            url, body = build_url(route, case, ids), build_body(case, ids)
            foreign = targeted and bound and target == _other(HOME[role])
            wanted = None
            if target != "missing":
                wanted = case.expect.status(role, target, api=api)
            must_not_write = snapshot is not None and (
                foreign or wanted in REFUSALS or role in case.refused or target == "missing"
            )
            status, response, unchanged = _run(
                caller, case, url, body, api=api, before=snapshot if must_not_write else None
            )
            where = f"{name} as {role} on {target} ({url})"
            if status >= 500:
                problems.append(f"{where}: {status} {response if status == 500 else ''}")
                continue
            got = seen[target] = _outcome(status, response)
            if wanted is not None and got != wanted:
                problems.append(f"{where}: expected {wanted}, got {got}")
            if role == "anon" and not case.expect.public and got != (401 if api else LOGIN):
                problems.append(f"{where}: anonymous got {got}")
            if foreign and 200 <= status < 300:
                problems.append(f"{where}: another department's object answered {status}")
            if not unchanged:
                problems.append(f"{where}: a refused request changed the database")
            if bound and 200 <= status < 300:
                secret = MARKER[_other(HOME[role])]
                if secret in response.content.decode(errors="replace"):
                    problems.append(f"{where}: the response holds {secret} data")
        import os
        if os.environ.get("MATRIX_OBSERVE"):
            with open(os.environ["MATRIX_OBSERVE"], "a") as fh:
                fh.write(f"{name:70} {role:12} " + " ".join(f"{t}={v}" for t, v in seen.items()) + "\n")
        if "missing" in seen and seen["missing"] != seen.get(_other(HOME[role])):
            problems.append(
                f"{name} as {role}: another department's object answers "
                f"{seen.get(_other(HOME[role]))}, a missing one {seen['missing']}: existence leaks"
            )
    return problems


def _other(department: str) -> str:
    return "support" if department == "billing" else "billing"


ROUTES = all_routes()


def test_every_url_pattern_has_expectations():
    missing = [route for route in ROUTES if route not in CASES]
    stale = [route for route in CASES if route not in ROUTES]
    assert not missing, "URL patterns without an entry in CASES:\n" + "\n".join(missing)
    assert not stale, "CASES entries for URL patterns that no longer exist:\n" + "\n".join(stale)


@pytest.mark.parametrize("route", ROUTES)
def test_every_role_gets_the_expected_status_and_nothing_leaks(world, route):
    assert route in CASES, f"/{route} has no expectations: add it to CASES"
    problems = [p for case in CASES[route] for p in _problems(world, route, case)]
    assert not problems, "\n".join(problems)
