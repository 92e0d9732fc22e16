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
    MIRRORS,
    PATCH,
    POST,
    REFUSALS,
    UI_ROLES,
    Case,
    Expect,
    Status,
    all_routes,
    build_body,
    build_url,
    has_target,
    ids_for,
    own,
)

pytestmark = pytest.mark.django_db

# --- expectations ----------------------------------------------------------------------------
# Shapes that recur. A "gate" is a role check made before any object is looked up: it answers
# the same for every object, existing or not, so it reveals nothing about other departments.
SIGNED_IN = Expect(agent=200, lead=200, comms=200, admin=200, outsider=200)
REDIRECTED = Expect(agent=302, lead=302, comms=302, admin=302, outsider=302)
POST_ONLY = Expect(agent=405, lead=405, comms=405, admin=405, outsider=405)
HUB_READ = Expect(agent=200, lead=200, comms=200, admin=200, outsider=403)  # gate: staff, comms
HUB_EDIT = Expect(agent=403, lead=403, comms=200, admin=200, outsider=403)  # gate: comms, admin
HUB_EDIT_DONE = Expect(agent=403, lead=403, comms=302, admin=302, outsider=403)
HUB_EDIT_POST_ONLY = Expect(agent=403, lead=403, comms=405, admin=405, outsider=403)
COMMS_ONLY = Expect(agent=404, lead=404, comms=200, admin=200, outsider=404)  # gate: 404
ADMIN_ONLY = Expect(agent=404, lead=404, comms=404, admin=200, outsider=404)  # gate: 404
ADMIN_ONLY_DONE = Expect(agent=404, lead=404, comms=404, admin=302, outsider=404)
ADMIN_ONLY_INVALID = Expect(agent=404, lead=404, comms=404, admin=400, outsider=404)
# a department's object: its staff, central comms and administrators read it
DEPT_READ = Expect(agent=own(200), lead=own(200), comms=200, admin=200, outsider=404)
DEPT_READ_ON = Expect(agent=own(302), lead=own(302), comms=302, admin=302, outsider=404)
# a change on a department's mention: its staff and administrators; comms reads only
DEPT_WORK = Expect(agent=own(302), lead=own(302), comms=403, admin=302, outsider=404)
DEPT_LEAD = Expect(agent=own(403), lead=own(302), comms=403, admin=302, outsider=404)
# incidents: comms and the leads of an involved department manage; agents read and discuss
INCIDENT_MANAGE = Expect(agent=own(403), lead=own(200), comms=200, admin=200, outsider=404)
INCIDENT_COMMS = Expect(agent=own(403), lead=own(403), comms=200, admin=200, outsider=404)


def api(agent, lead, comms, admin, outsider, key_read, key_full) -> Expect:
    """An API expectation, positional in the order of the table's columns."""
    return Expect(agent=agent, lead=lead, comms=comms, admin=admin, outsider=outsider,
                  key_read=key_read, key_full=key_full)  # fmt: skip


# fmt: off
#            agent       lead        comms admin outsider key_read    key_full
API_LIST = api(200,      200,        200,  200,  200,     200,        200)
API_READ = api(own(200), own(200),   200,  200,  404,     own(200),   own(200))
API_POST_ONLY = api(405, 405,        405,  405,  405,     405,        405)
API_READ_ONLY = api(405, 405,        405,  405,  405,     403,        405)  # read key: no 'write'
API_DECISION_ONLY = api(405, 405,    405,  405,  405,     403,        405)  # no 'approve'
API_DECIDE = api(own(403), own(403), 200,  200,  404,     403,        own(200))
API_CONTRIBUTE = api(own(403), own(201), 201, 201, 404,   403,        own(201))
# fmt: on

INCIDENT_OPS = {  # op: (form, expectation)
    "status": ({"action": "monitor"}, INCIDENT_MANAGE),
    "resolve": ({"note": "Fixed."}, INCIDENT_MANAGE),
    "reopen": ({}, Expect(agent=own(403), lead=own(409), comms=409, admin=409, outsider=404)),
    "edit": ({"severity": "minor"}, INCIDENT_MANAGE),
    "fact": ({"text": "Card payments fail since 09:00."}, INCIDENT_MANAGE),
    "holding": ({"text": "We are aware of the issue and are monitoring it."}, INCIDENT_COMMS),
    "draft-update": ({"body": "Payments work again."}, INCIDENT_MANAGE),
    "approve-update": ({"update_id": "{update}"}, INCIDENT_COMMS),
    "bulk-respond": (  # the update is still a draft: 409 for those who may
        {"update_id": "{update}", "confirm": "yes"},
        Expect(agent=own(403), lead=own(403), comms=409, admin=409, outsider=404),
    ),
    "message": ({"body": "Who is on call?"}, DEPT_READ),  # everyone on the incident talks
    "add-member": ({"username": "outsider", "role": "Scribe"}, INCIDENT_MANAGE),
    "remove-member": ({"username": "comms"}, INCIDENT_MANAGE),
    "link": ({"mention_id": "{mention}"}, INCIDENT_MANAGE),
    "link-filter": (  # no filter given: 400 for those who may
        {"department": "{slug}"},
        Expect(agent=own(403), lead=own(400), comms=400, admin=400, outsider=404),
    ),
    "unlink": ({"mention_id": "{mention}"}, INCIDENT_MANAGE),
}
PANELS = ("header", "holding", "team", "facts", "updates", "discussion", "mentions")
PANELS += ("outreach", "summary")
MENTION_ACTIONS = {  # action: (form, expectation)
    "assign_me": ({"action": "assign_me"}, DEPT_WORK),
    "assign": ({"action": "assign", "assignee": "{member}"}, DEPT_WORK),
    "priority": ({"action": "priority", "priority": "3"}, DEPT_WORK),
    "transfer": (
        {"action": "transfer", "department": "{other_slug}", "reason": "theirs"},
        DEPT_LEAD,
    ),
    "tag": ({"action": "tag", "tags": "refund"}, DEPT_WORK),
    "watch": ({"action": "watch"}, DEPT_WORK),
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
    "": [Case(GET, REDIRECTED)],  # to the first queue, or to "mine"
    "login/": [
        Case(GET, Expect(agent=302, lead=302, comms=302, admin=302, outsider=302, anon=200)),
        Case(POST, Expect(agent=302, lead=302, comms=302, admin=302, outsider=302, anon=200)),
    ],
    "logout/": [
        Case(GET, Expect(agent=405, lead=405, comms=405, admin=405, outsider=405, anon=405)),
        Case(POST, Expect(agent=LOGIN, lead=LOGIN, comms=LOGIN, admin=LOGIN, outsider=LOGIN)),
    ],
    "healthz": [
        Case(GET, Expect(agent=200, lead=200, comms=200, admin=200, outsider=200, anon=200))
    ],
    "notifications/": [Case(GET, SIGNED_IN)],
    "notifications/read/": [Case(GET, POST_ONLY), Case(POST, REDIRECTED)],
    "audit/": [Case(GET, ADMIN_ONLY)],
    "emails/": [Case(GET, ADMIN_ONLY), Case(GET, ADMIN_ONLY, query="status=failed")],
    "emails/resend-failed/": [Case(GET, POST_ONLY), Case(POST, ADMIN_ONLY_DONE)],
    "emails/<int:email_id>/resend/": [Case(GET, POST_ONLY), Case(POST, ADMIN_ONLY_DONE)],
    # --- one's own account: everyone signed in, each on their own ---------------------------
    "account/": [
        Case(GET, SIGNED_IN),
        Case(POST, REDIRECTED, body={"first_name": "Matrix", "time_zone": "Asia/Tokyo"}),
        Case(
            POST,
            Expect(agent=400, lead=400, comms=400, admin=400, outsider=400),
            body={"time_zone": "Mars/Olympus_Mons"},
            label="unknown time zone",
        ),
    ],
    "account/password/": [
        Case(GET, POST_ONLY),
        Case(
            POST,
            REDIRECTED,
            body={
                "old_password": "correct-horse-battery",
                "new_password": "Tidal-Lantern-42",
                "new_password_again": "Tidal-Lantern-42",
            },
        ),
        Case(
            POST,
            Expect(agent=400, lead=400, comms=400, admin=400, outsider=400),
            body={"old_password": "wrong", "new_password": "x", "new_password_again": "x"},
            label="wrong current password",
        ),
    ],
    # --- people: administrators only; the department's agent is the person acted on ----------
    "people/": [
        Case(GET, ADMIN_ONLY),
        Case(GET, ADMIN_ONLY, query="q=a&org_role=member&department={slug}&state=active"),
    ],
    "people/new/": [
        Case(GET, ADMIN_ONLY),
        Case(POST, ADMIN_ONLY_INVALID, {"username": "", "password": ""}, label="invalid"),
        Case(
            POST,
            ADMIN_ONLY_DONE,
            {"username": "matrix-person", "password": "Tidal-Lantern-42", "org_role": "member"},
        ),
    ],
    "people/<int:user_id>/": [Case(GET, ADMIN_ONLY)],
    "people/<int:user_id>/role/": [
        Case(GET, POST_ONLY),
        Case(POST, ADMIN_ONLY_DONE, {"org_role": "comms"}),
    ],
    "people/<int:user_id>/active/": [
        Case(GET, POST_ONLY),
        Case(POST, ADMIN_ONLY_DONE, {"active": "0"}),
    ],
    "people/<int:user_id>/memberships/": [
        Case(GET, POST_ONLY),
        Case(POST, ADMIN_ONLY_DONE, {"department": "{slug}", "role": "lead"}),
    ],
    "people/<int:user_id>/memberships/<slug:slug>/revoke/": [
        Case(GET, POST_ONLY),
        Case(POST, ADMIN_ONLY_DONE),
    ],
    # --- hub: staff read, central comms and administrators edit ---------------------------------
    "hub/": [Case(GET, HUB_READ)],
    "hub/guidelines/": [Case(GET, HUB_READ)],
    "hub/guidelines/new/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/guidelines/preview/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT, {"body": "Hi there"}),
    ],
    # a guideline reserved to a department is that department's object
    "hub/guidelines/<int:guideline_id>/": [
        Case(GET, Expect(agent=own(200), lead=own(200), comms=200, admin=200, outsider=403))
    ],
    "hub/guidelines/<int:guideline_id>/edit/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/guidelines/<int:guideline_id>/versions/new/": [
        Case(GET, HUB_EDIT),
        Case(POST, HUB_EDIT),
    ],
    "hub/guidelines/<int:guideline_id>/approve/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE),
    ],
    "hub/guidelines/<int:guideline_id>/retire/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE, {"reason": "Outdated"}),
    ],
    "hub/guidelines/<int:guideline_id>/diff/": [
        Case(
            GET,
            Expect(agent=own(200), lead=own(200), comms=200, admin=200, outsider=403),
            query="a=1&b=1",
        )
    ],
    "hub/faq/": [Case(GET, HUB_READ)],
    "hub/compensation/": [Case(GET, HUB_READ)],
    "hub/compensation/new/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/compensation/<int:policy_id>/edit/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/compensation/limits/": [Case(GET, HUB_EDIT_POST_ONLY), Case(POST, HUB_EDIT_DONE)],
    "hub/compensation/limits/<int:limit_id>/delete/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE),
    ],
    "hub/sla/": [Case(GET, HUB_READ)],
    "hub/sla/policies/": [Case(GET, HUB_EDIT_POST_ONLY), Case(POST, HUB_EDIT_DONE)],
    "hub/sla/policies/<int:policy_id>/delete/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE),
    ],
    "hub/sla/holidays/": [Case(GET, HUB_EDIT_POST_ONLY), Case(POST, HUB_EDIT_DONE)],
    "hub/sla/holidays/<int:holiday_id>/delete/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE),
    ],
    "hub/sla/<slug:slug>/hours/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/escalation/": [Case(GET, HUB_READ)],
    "hub/escalation/new/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/escalation/<int:rule_id>/edit/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/escalation/<int:rule_id>/delete/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE),
    ],
    "hub/routing/": [Case(GET, HUB_READ)],
    "hub/routing/new/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/routing/default/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE, {"department": "{slug}"}),
    ],
    "hub/routing/<int:rule_id>/edit/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    "hub/routing/<int:rule_id>/move/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE, {"direction": "up"}),
    ],
    "hub/routing/<int:rule_id>/delete/": [
        Case(GET, HUB_EDIT_POST_ONLY),
        Case(POST, HUB_EDIT_DONE),
    ],
    "hub/departments/": [Case(GET, HUB_READ)],
    "hub/departments/<slug:slug>/": [Case(GET, HUB_EDIT), Case(POST, HUB_EDIT)],
    # --- replies -------------------------------------------------------------------------------
    "replies/approvals/": [Case(GET, COMMS_ONLY)],
    "replies/<int:reply_id>/review/": [
        Case(GET, COMMS_ONLY),
        Case(GET, COMMS_ONLY, query="partial=decision"),  # the decision panel's live refresh
    ],
    "replies/<int:reply_id>/claim/": [
        Case(GET, POST_ONLY),
        Case(POST, Expect(agent=404, lead=404, comms=200, admin=200, outsider=404)),
    ],
    "replies/<int:reply_id>/release/": [  # refused in the panel: nobody holds it
        Case(GET, POST_ONLY),
        Case(POST, Expect(agent=404, lead=404, comms=200, admin=200, outsider=404)),
    ],
    "replies/<int:reply_id>/decide/": [
        Case(GET, POST_ONLY),
        Case(
            POST,
            Expect(agent=404, lead=404, comms=302, admin=302, outsider=404),
            {"decision": "approve"},
        ),
    ],
    "replies/<int:reply_id>/action/": [  # only the author edits, and not while it is pending
        Case(GET, POST_ONLY),
        Case(
            POST,
            Expect(agent=own(409), lead=own(403), comms=403, admin=403, outsider=404),
            {"action": "update", "text": "Edited"},
        ),
    ],
    "replies/m/<int:mention_id>/compose/": [
        Case(GET, POST_ONLY),
        Case(POST, DEPT_WORK, {"text": "Hello", "kind": "public", "intent": "draft"}),
    ],
    "replies/m/<int:mention_id>/check/": [
        Case(GET, POST_ONLY),
        Case(POST, DEPT_READ, {"text": "Hello"}),  # a dry run: nothing is saved
    ],
    "replies/m/<int:mention_id>/template/": [Case(GET, DEPT_READ)],
    # --- incidents -----------------------------------------------------------------------------
    "incidents/": [Case(GET, SIGNED_IN)],  # the list holds only visible incidents
    "incidents/declare/": [  # leads (their departments) and comms
        Case(GET, POST_ONLY),
        Case(
            POST,
            # a lead naming only departments they do not lead (or none) is told to include one
            Expect(agent=403, lead=own(302, 400), comms=302, admin=302, outsider=403),
            {"title": "Outage", "departments": ["{slug}"]},
        ),
    ],
    "incidents/for-mention/<int:mention_id>/": [Case(GET, DEPT_READ)],
    "incidents/<int:incident_id>/": [Case(GET, DEPT_READ)],
    "incidents/<int:incident_id>/panel/<slug:name>/": [
        Case(GET, DEPT_READ, path={"name": name}, label=name) for name in PANELS
    ],
    "incidents/<int:incident_id>/do/<slug:op>/": [
        Case(GET, POST_ONLY, path={"op": "fact"}),
        *(
            Case(POST, expect, form, path={"op": op}, label=op)
            for op, (form, expect) in INCIDENT_OPS.items()
        ),
    ],
    # --- insights: leads (their departments), comms and administrators --------------------------
    "insights/": [
        Case(
            GET,
            Expect(agent=404, lead=own(200), comms=200, admin=200, outsider=404),
            query="department={slug}",
        )
    ],
    "insights/export.csv": [
        Case(
            GET,
            Expect(agent=404, lead=own(200), comms=200, admin=200, outsider=404),
            query="metric=volume_source&department={slug}",
        )
    ],
    # --- spokes --------------------------------------------------------------------------------
    "mine/": [Case(GET, SIGNED_IN)],
    "mine/bulk/": [  # each mention checked on its own: a refusal fails alone, then redirected
        Case(GET, POST_ONLY),
        Case(
            POST,
            REDIRECTED,  # back to "mine" for everyone, the foreign mention untouched
            {"ids": ["{mention}"], "action": "watch"},
            refused=("comms", "outsider"),
        ),
    ],
    "d/<slug:slug>/": [Case(GET, DEPT_READ)],
    "d/<slug:slug>/bulk/": [  # comms reads only: refused item by item, then redirected
        Case(GET, POST_ONLY),
        Case(
            POST,
            Expect(agent=own(302), lead=own(302), comms=302, admin=302, outsider=404),
            {"ids": ["{mention}"], "action": "watch"},
            refused=("comms",),
        ),
    ],
    # saved views are personal: whoever may read the queue saves their own (303 back to it)
    "d/<slug:slug>/views/": [
        Case(GET, DEPT_READ_ON, query="status=new"),  # on to the queue (a refusal's links)
        Case(
            POST,
            Expect(agent=own(303), lead=own(303), comms=303, admin=303, outsider=404),
            {"name": "Matrix view"},
            query="status=new&cursor=abc",
        ),
        Case(
            POST,
            Expect(agent=own(400), lead=own(400), comms=400, admin=400, outsider=404),
            {"name": ""},
            label="no name",
        ),
        Case(
            POST,
            Expect(agent=own(400), lead=own(400), comms=400, admin=400, outsider=404),
            {"name": "Matrix view"},
            query="priority=99",
            label="invalid filter",
        ),
    ],
    # the world holds nobody's saved view: every id is someone else's or missing, so 404
    # (the owner's delete: tests/spokes/test_saved_views.py)
    "d/<slug:slug>/views/<int:view_id>/delete/": [
        Case(GET, POST_ONLY, path={"view_id": 999_999}),
        Case(
            POST,
            Expect(agent=404, lead=404, comms=404, admin=404, outsider=404),
            path={"view_id": 999_999},
        ),
    ],
    "m/<int:mention_id>/": [Case(GET, DEPT_READ)],
    "m/<int:mention_id>/action/": [
        Case(GET, POST_ONLY),
        *(Case(POST, expect, form, label=name) for name, (form, expect) in MENTION_ACTIONS.items()),
    ],
    "m/<int:mention_id>/notes/": [
        Case(GET, POST_ONLY),
        Case(
            POST,
            Expect(agent=own(302), lead=own(302), comms=302, admin=302, outsider=404),
            {"body": "Internal"},
        ),
    ],
    "alerts/": [Case(GET, COMMS_ONLY)],
    "alerts/<int:alert_id>/": [Case(GET, COMMS_ONLY)],
    "alerts/<int:alert_id>/do/": [
        Case(GET, POST_ONLY),
        Case(
            POST,
            Expect(agent=404, lead=404, comms=302, admin=302, outsider=404),
            {"action": "dismiss", "reason": "noise"},
        ),
    ],
    # --- administrators' API pages ---------------------------------------------------------------
    "api/keys/": [Case(GET, ADMIN_ONLY), Case(POST, ADMIN_ONLY_INVALID)],
    "api/keys/<str:prefix>/revoke/": [Case(GET, POST_ONLY), Case(POST, ADMIN_ONLY_DONE)],
    "api/webhooks/": [Case(GET, ADMIN_ONLY), Case(POST, ADMIN_ONLY_INVALID)],
    "replies/channels/": [
        Case(GET, ADMIN_ONLY),
        Case(POST, ADMIN_ONLY_INVALID, {"source": "twitter", "connector": "webhook"}),
    ],
    "api/webhooks/<int:subscription_id>/": [Case(GET, ADMIN_ONLY)],
    "api/webhooks/<int:subscription_id>/active/": [
        Case(GET, POST_ONLY),
        Case(POST, ADMIN_ONLY_DONE, {"active": "0"}),
    ],
    # --- REST API (sessions and keys) ----------------------------------------------------------
    # columns of api():                          agent      lead      comms admin outsider ...
    "api/v1/mentions/": [
        Case(GET, API_LIST),
        Case(POST, api(403,      403,      403,  201,  403,     403,     own(201)), INGEST),
    ],
    "api/v1/mentions/<str:mention_id>/": [Case(GET, API_READ), Case(POST, API_READ_ONLY)],
    "api/v1/mentions/<str:mention_id>/status/": [
        Case(GET, API_POST_ONLY),
        Case(POST, api(own(200), own(200), 403,  200,  404,     403,     own(200)),
             {"action": "watch"}),
    ],
    "api/v1/mentions/<str:mention_id>/assignment/": [
        Case(GET, API_POST_ONLY),
        Case(POST, api(own(403), own(200), 403,  200,  404,     403,     own(200)),
             {"assignee": None}),
    ],
    "api/v1/mentions/<str:mention_id>/transfer/": [  # 204: out of the caller's sight now
        Case(GET, API_POST_ONLY),
        Case(POST, api(own(403), own(204), 403,  200,  404,     403,     own(204)),
             {"department": "{other_slug}", "reason": "theirs"}),
    ],
    "api/v1/mentions/<str:mention_id>/notes/": [
        Case(GET, API_READ),
        Case(POST, api(own(201), own(201), 201,  201,  404,     403,     own(201)),
             {"body": "Internal"}),
    ],
    "api/v1/mentions/<str:mention_id>/replies/": [
        Case(GET, API_READ),
        Case(POST, api(own(201), own(201), 403,  201,  404,     403,     own(201)),
             {"text": "Hello"}),
    ],
    "api/v1/departments/": [Case(GET, API_LIST), Case(POST, API_READ_ONLY)],
    "api/v1/departments/<str:slug>/": [Case(GET, API_READ), Case(POST, API_READ_ONLY)],
    "api/v1/guidelines/": [Case(GET, API_LIST)],
    "api/v1/guidelines/<str:guideline_id>/": [Case(GET, API_READ)],
    "api/v1/compensation-policies/": [Case(GET, API_LIST)],
    "api/v1/replies/<str:reply_id>/": [  # only its author edits a draft; this one is pending
        Case(GET, API_READ),
        Case(PATCH, api(own(409), own(403), 403, 403,  404,     403,     own(403)),
             {"text": "Edited"}),
    ],
    "api/v1/replies/<str:reply_id>/submit/": [
        Case(GET, API_POST_ONLY),
        Case(POST, api(own(409), own(403), 403,  403,  404,     403,     own(403))),
    ],
    "api/v1/replies/<str:reply_id>/retry/": [  # it has not failed: 409 for those who may
        Case(GET, API_POST_ONLY),
        Case(POST, api(own(409), own(409), 403,  409,  404,     403,     own(409))),
    ],
    "api/v1/replies/<str:reply_id>/claim/": [
        Case(GET, API_DECISION_ONLY),
        Case(POST, API_DECIDE),
    ],
    "api/v1/replies/<str:reply_id>/release/": [  # nobody holds it: 409 for those who may
        Case(GET, API_DECISION_ONLY),
        Case(POST, api(own(403), own(403), 409,  409,  404,     403,     own(409))),
    ],
    "api/v1/replies/<str:reply_id>/approve/": [
        Case(GET, API_DECISION_ONLY),
        Case(POST, API_DECIDE),
    ],
    "api/v1/replies/<str:reply_id>/request-changes/": [
        Case(GET, API_DECISION_ONLY),
        Case(POST, API_DECIDE, {"comment": "Softer, please."}),
    ],
    "api/v1/replies/<str:reply_id>/reject/": [
        Case(GET, API_DECISION_ONLY),
        Case(POST, API_DECIDE),
    ],
    "api/v1/approvals/": [
        Case(GET, api(403,       403,      200,  200,  403,     403,     200)),
    ],
    "api/v1/incidents/": [Case(GET, API_LIST)],
    "api/v1/incidents/<str:incident_id>/": [Case(GET, API_READ)],
    "api/v1/incidents/<str:incident_id>/facts/": [
        Case(GET, API_READ),
        Case(POST, API_CONTRIBUTE, {"text": "Card payments fail."}),
    ],
    "api/v1/incidents/<str:incident_id>/updates/": [
        Case(GET, API_READ),
        Case(POST, API_CONTRIBUTE, {"body": "Payments work again."}),
    ],
    "api/v1/incidents/<str:incident_id>/mentions/": [
        Case(GET, API_READ),
        Case(POST, api(own(403), own(200), 200,  200,  404,     403,     own(200)),
             {"mention_ids": ["{mention}"]}),
    ],
}  # fmt: skip


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
        counts = ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)  # noqa: S608
        cursor.execute(f"SELECT {counts}")  # noqa: S608 (table names from the models)
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
                foreign
                or target == "missing"
                or wanted in REFUSALS
                or MIRRORS.get(role, role) in case.refused
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


@pytest.mark.parametrize("role", ["other_agent", "outsider"])
def test_an_unknown_assignee_reveals_nothing_about_a_foreign_mention(world, role):
    """The mention is looked up before the assignee: no "no such user" oracle for strangers."""
    caller = Caller(world, role)
    url = f"/m/{world.ids['billing']['mention']}/action/"
    statuses = {
        caller.request(POST, url, {"action": "assign", "assignee": name}, api=False).status_code
        for name in ("agent", "nobody-at-all")
    }
    assert statuses == {404}
