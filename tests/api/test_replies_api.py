"""Replies through the API: drafting, submitting, the approval queue and decisions, retries.

Every action goes through replies.services; scopes gate the operation (read / write /
approve), departments gate the objects (404 for another department's reply).
"""

from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from api.services import integration_key_revoke
from hub.models import CompensationOffer, CompensationPolicy, DepartmentPolicy, DiscretionLimit
from hub.services.guidelines import guideline_approve, guideline_create
from replies import services
from replies.models import DeliveryAttempt, Reply, ReplyState
from spokes.models import Activity


# --- cast -----------------------------------------------------------------------------------
@pytest.fixture
def approval_policy(billing, support):
    """Both departments send every reply to central comms (so submissions wait)."""
    for department in (billing, support):
        DepartmentPolicy.objects.create(department=department, require_approval_all=True)


def _pending(author, mention, text="We will refund you."):
    reply = services.reply_draft(actor=author, mention_id=mention.pk, text=text)
    return services.reply_submit(actor=author, reply_id=reply.pk)


@pytest.fixture
def pending(agent, mention, approval_policy):
    return _pending(agent, mention)


@pytest.fixture
def foreign_pending(other_agent, foreign_mention, approval_policy):
    return _pending(other_agent, foreign_mention, "Your parcel is on its way.")


@pytest.fixture
def approver_key(make_key, billing):
    return make_key(billing, scopes=("read", "approve"), name="Approval desk")


@pytest.fixture
def approver_api(api, approver_key):
    return api(approver_key[1])


@pytest.fixture
def full_api(api, make_key, billing):
    return api(make_key(billing, scopes=("read", "write", "approve"), name="Everything")[1])


@pytest.fixture
def voucher(db):
    DiscretionLimit.objects.create(role="agent", amount=Decimal("50"))
    return CompensationPolicy.objects.create(name="Voucher", kind="voucher", unit="money")


def _error(response, status_code, code):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


# --- drafting -------------------------------------------------------------------------------
def test_a_write_key_drafts_a_reply_recorded_and_published(
    billing_api, billing_key, mention, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_api.post(
            f"/api/v1/mentions/{mention.pk}/replies/",
            {"text": "Sorry about that, refund on its way.", "kind": "direct"},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    reply = Reply.objects.get(pk=body["id"])
    assert reply.author == billing_key[0].user and reply.mention == mention
    assert reply.state == ReplyState.DRAFT and reply.kind == "direct"
    assert body["state"] == "draft" and body["delivery_attempts"] == []
    assert Activity.objects.filter(mention=mention, verb="reply_drafted").exists()
    assert ("reply.drafted", reply.pk) in [(e, p["id"]) for e, p, _ in published]


def test_a_draft_from_a_guideline_version_stores_the_template_and_similarity(
    billing_api, mention, comms
):
    guideline = guideline_create(
        actor=comms, title="Apology", kind="template", body="Sorry about the double charge."
    )
    version = guideline_approve(actor=comms, guideline_id=guideline.pk)
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/",
        {"text": "Sorry about the double charge!", "guideline_version": version.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    reply = Reply.objects.get(pk=response.json()["id"])
    assert reply.guideline_version_id == version.pk
    assert reply.template_text and reply.similarity is not None
    assert response.json()["similarity"] == pytest.approx(reply.similarity)


def test_a_draft_with_compensation_creates_the_offer_with_it(billing_api, mention, voucher):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/",
        {"text": "Here is a voucher.", "compensation": {"policy": voucher.pk, "amount": "20"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    offer = CompensationOffer.objects.get(mention=mention)
    assert offer.amount == Decimal("20.00")
    assert response.json()["compensation_offer"] == offer.pk
    assert Reply.objects.get(pk=response.json()["id"]).compensation_offer_id == offer.pk


def test_an_unknown_compensation_policy_names_the_field_and_creates_nothing(
    billing_api, mention, voucher
):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/",
        {"text": "Here is a voucher.", "compensation": {"policy": 999, "amount": "20"}},
        format="json",
    )
    error = _error(response, 400, "invalid")
    assert "compensation.policy" in error["fields"]
    assert not Reply.objects.exists() and not CompensationOffer.objects.exists()


def test_bad_draft_input_names_each_field(billing_api, mention):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/",
        {"text": 12, "kind": "shout", "compensation": {"amount": "-1"}},
        format="json",
    )
    error = _error(response, 400, "invalid")
    assert {"text", "kind", "compensation.policy", "compensation.amount"} <= set(error["fields"])
    assert not Reply.objects.exists()


@pytest.mark.parametrize("amount", ["", ".", "-", "-5", " 20", "20\n", "2e1", "20.001", 20, 20.5])
def test_an_amount_outside_the_schemas_pattern_is_refused_by_name(
    billing_api, mention, voucher, amount
):
    """What the schema's pattern for ``compensation.amount`` refuses, the API refuses, so an
    integrator working from the schema alone meets no surprise (DRF's decimal field took
    numbers, exponents and padding, and its pattern admitted "")."""
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/",
        {"text": "Here is a voucher.", "compensation": {"policy": voucher.pk, "amount": amount}},
        format="json",
    )
    error = _error(response, 400, "invalid")
    assert list(error["fields"]) == ["compensation.amount"]
    assert not Reply.objects.exists() and not CompensationOffer.objects.exists()


@pytest.mark.parametrize(
    ("amount", "stored"), [("5", "5.00"), ("0.5", "0.50"), ("100000", "100000.00")]
)
def test_an_amount_the_pattern_admits_is_taken_within_its_bounds(
    billing_api, mention, voucher, amount, stored
):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/",
        {"text": "Here is a voucher.", "compensation": {"policy": voucher.pk, "amount": amount}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert CompensationOffer.objects.get(mention=mention).amount == Decimal(stored)


def test_drafting_on_another_departments_mention_is_a_404(billing_api, foreign_mention):
    response = billing_api.post(
        f"/api/v1/mentions/{foreign_mention.pk}/replies/", {"text": "Hello"}, format="json"
    )
    _error(response, 404, "not_found")
    assert not Reply.objects.exists()


def test_a_read_key_cannot_draft(read_api, mention):
    response = read_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/", {"text": "Hello"}, format="json"
    )
    assert "'write'" in _error(response, 403, "permission_denied")["message"]
    assert not Reply.objects.exists()


def test_the_author_edits_a_draft(billing_api, mention):
    reply_id = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/", {"text": "Helo"}, format="json"
    ).json()["id"]
    response = billing_api.patch(f"/api/v1/replies/{reply_id}/", {"text": "Hello"}, format="json")
    assert response.status_code == 200
    assert Reply.objects.get(pk=reply_id).text.startswith("Hello")


# --- reading --------------------------------------------------------------------------------
def test_a_mentions_replies_show_state_reasons_and_attempts(
    billing_api, agent, mention, pending, comms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_approve(actor=comms, reply_id=pending.pk)
    response = billing_api.get(f"/api/v1/mentions/{mention.pk}/replies/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["state"] == "sent" and row["approval_reasons"] and row["decided_by"] == "comms"
    assert row["external_id"] and row["delivery_attempts"][0]["ok"] is True
    single = billing_api.get(f"/api/v1/replies/{pending.pk}/").json()
    assert single == row


def test_listing_replies_costs_a_constant_number_of_queries(
    billing_api, agent, mention, django_assert_max_num_queries
):
    for n in range(5):
        services.reply_draft(actor=agent, mention_id=mention.pk, text=f"Draft {n}")
    with django_assert_max_num_queries(12):
        assert len(billing_api.get(f"/api/v1/mentions/{mention.pk}/replies/").json()) == 5


def test_another_departments_replies_are_a_404_everywhere(full_api, foreign_pending):
    rid, mid = foreign_pending.pk, foreign_pending.mention_id
    calls = [
        ("get", f"/api/v1/mentions/{mid}/replies/", None),
        ("post", f"/api/v1/mentions/{mid}/replies/", {"text": "Hi"}),
        ("get", f"/api/v1/replies/{rid}/", None),
        ("patch", f"/api/v1/replies/{rid}/", {"text": "Hi"}),
        ("post", f"/api/v1/replies/{rid}/submit/", None),
        ("post", f"/api/v1/replies/{rid}/retry/", None),
        ("post", f"/api/v1/replies/{rid}/claim/", None),
        ("post", f"/api/v1/replies/{rid}/release/", None),
        ("post", f"/api/v1/replies/{rid}/approve/", {}),
        ("post", f"/api/v1/replies/{rid}/request-changes/", {"comment": "No"}),
        ("post", f"/api/v1/replies/{rid}/reject/", {}),
    ]
    for method, path, body in calls:
        _error(getattr(full_api, method)(path, body, format="json"), 404, "not_found")
    foreign_pending.refresh_from_db()
    assert foreign_pending.state == ReplyState.PENDING_APPROVAL
    assert foreign_pending.claimed_by is None and Reply.objects.count() == 1


def test_a_missing_or_malformed_reply_id_is_a_404(billing_api, db):
    for rid in ("999", "abc"):
        _error(billing_api.get(f"/api/v1/replies/{rid}/"), 404, "not_found")


# --- submitting -----------------------------------------------------------------------------
def test_submitting_without_a_rule_queues_and_delivers_it(
    billing_api, mention, published, django_capture_on_commit_callbacks
):
    reply_id = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/", {"text": "Fixed!"}, format="json"
    ).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_api.post(f"/api/v1/replies/{reply_id}/submit/")
    assert response.status_code == 200 and response.json()["approval_reasons"] == []
    reply = Reply.objects.get(pk=reply_id)
    assert reply.state == ReplyState.SENT and reply.external_id
    assert DeliveryAttempt.objects.filter(reply=reply, ok=True).count() == 1
    assert {"reply.queued", "reply.sent"} <= {e for e, _, _ in published}


def test_submitting_under_a_rule_waits_for_approval_with_the_reasons(
    billing_api, mention, approval_policy
):
    reply_id = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/", {"text": "Fixed!"}, format="json"
    ).json()["id"]
    body = billing_api.post(f"/api/v1/replies/{reply_id}/submit/").json()
    assert body["state"] == "pending_approval"
    assert any("requires approval" in reason for reason in body["approval_reasons"])
    mention.refresh_from_db()
    assert mention.status == "awaiting_approval"


def test_submitting_twice_is_a_409_conflict(billing_api, mention, approval_policy):
    reply_id = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/replies/", {"text": "Fixed!"}, format="json"
    ).json()["id"]
    billing_api.post(f"/api/v1/replies/{reply_id}/submit/")
    error = _error(billing_api.post(f"/api/v1/replies/{reply_id}/submit/"), 409, "conflict")
    assert "state" in error["fields"]


def test_a_key_cannot_submit_someone_elses_draft(billing_api, agent, mention):
    reply = services.reply_draft(actor=agent, mention_id=mention.pk, text="Mine")
    _error(billing_api.post(f"/api/v1/replies/{reply.pk}/submit/"), 403, "permission_denied")
    assert Reply.objects.get(pk=reply.pk).state == ReplyState.DRAFT


# --- the approval queue ---------------------------------------------------------------------
def test_an_approve_key_lists_only_its_departments_pending_replies(
    approver_api, pending, foreign_pending
):
    response = approver_api.get("/api/v1/approvals/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [pending.pk]
    assert rows[0]["mention"]["department"] == "billing" and rows[0]["approval_reasons"]


def test_central_comms_sees_every_pending_reply(comms_api, pending, foreign_pending):
    rows = comms_api.get("/api/v1/approvals/").json()
    assert {r["id"] for r in rows} == {pending.pk, foreign_pending.pk}


def test_the_queue_needs_the_approve_scope_or_central_comms(billing_api, api, agent, pending):
    assert (
        "'approve'"
        in _error(billing_api.get("/api/v1/approvals/"), 403, "permission_denied")["message"]
    )
    session = api()
    session.force_authenticate(agent)
    _error(session.get("/api/v1/approvals/"), 403, "permission_denied")


def test_the_queue_limit_is_checked(approver_api, pending):
    assert len(approver_api.get("/api/v1/approvals/?limit=1").json()) == 1
    assert (
        "limit" in _error(approver_api.get("/api/v1/approvals/?limit=0"), 400, "invalid")["fields"]
    )


# --- decisions ------------------------------------------------------------------------------
def test_an_approve_key_approves_with_an_edited_text_delivered_and_audited(
    approver_api, approver_key, pending, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = approver_api.post(
            f"/api/v1/replies/{pending.pk}/approve/",
            {"text": "We have refunded you.", "comment": "Clearer"},
            format="json",
        )
    assert response.status_code == 200, response.content
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.SENT and reply.text.startswith("We have refunded you.")
    assert reply.decided_by == approver_key[0].user and reply.decision_comment == "Clearer"
    audit = AuditEvent.objects.get(action="reply.approved", target_id=str(reply.pk))
    assert audit.data["edited"] is True
    assert {"reply.approved", "reply.sent"} <= {e for e, _, _ in published}


def test_requesting_changes_needs_a_comment(approver_api, pending):
    path = f"/api/v1/replies/{pending.pk}/request-changes/"
    assert "comment" in _error(approver_api.post(path, {}, format="json"), 400, "invalid")["fields"]
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.PENDING_APPROVAL
    response = approver_api.post(path, {"comment": "Softer, please"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "changes_requested"
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.decision_comment == "Softer, please"
    assert AuditEvent.objects.filter(action="reply.changes_requested").exists()


def test_rejecting_keeps_it_from_leaving(approver_api, pending):
    response = approver_api.post(
        f"/api/v1/replies/{pending.pk}/reject/", {"comment": "Off-brand"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.REJECTED and not reply.attempt_log.exists()
    assert AuditEvent.objects.filter(action="reply.rejected", target_id=str(reply.pk)).exists()


def test_a_second_decision_is_a_409_conflict(approver_api, comms_api, pending):
    comms_api.post(f"/api/v1/replies/{pending.pk}/reject/", {}, format="json")
    error = _error(
        approver_api.post(f"/api/v1/replies/{pending.pk}/approve/", {}, format="json"),
        409,
        "conflict",
    )
    assert error["message"].startswith("Already decided")
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.REJECTED


def test_a_reply_claimed_by_another_approver_is_a_409_until_released(
    approver_api, comms_api, pending
):
    assert comms_api.post(f"/api/v1/replies/{pending.pk}/claim/").json()["claimed_by"] == "comms"
    error = _error(
        approver_api.post(f"/api/v1/replies/{pending.pk}/approve/", {}, format="json"),
        409,
        "conflict",
    )
    assert "claimed_by" in error["fields"]
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.PENDING_APPROVAL
    # only its holder hands it back
    error = _error(approver_api.post(f"/api/v1/replies/{pending.pk}/release/"), 409, "conflict")
    assert "claimed_by" in error["fields"]
    assert comms_api.post(f"/api/v1/replies/{pending.pk}/release/").json()["claimed_by"] is None
    approved = approver_api.post(f"/api/v1/replies/{pending.pk}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    assert Reply.objects.get(pk=pending.pk).state != ReplyState.PENDING_APPROVAL


def test_write_and_read_keys_cannot_decide(billing_api, read_api, pending):
    for client in (billing_api, read_api):
        for action in ("claim", "release", "approve", "reject"):
            response = client.post(f"/api/v1/replies/{pending.pk}/{action}/", {}, format="json")
            _error(response, 403, "permission_denied")
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.PENDING_APPROVAL and reply.claimed_by is None


def test_an_agent_session_cannot_decide(api, agent, lead, pending):
    session = api()
    session.force_authenticate(lead)
    response = session.post(f"/api/v1/replies/{pending.pk}/approve/", {}, format="json")
    _error(response, 403, "permission_denied")
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.PENDING_APPROVAL


def test_only_approve_keys_hold_the_decide_permission_until_revoked(
    approver_key, billing_key, admin_user
):
    approver, writer = approver_key[0].user, billing_key[0].user
    assert approver.has_perm("replies.decide_reply")
    assert not writer.has_perm("replies.decide_reply")
    integration_key_revoke(actor=admin_user, key=approver_key[0])
    approver.refresh_from_db()
    assert not approver.user_permissions.filter(codename="decide_reply").exists()


# --- delivery retries -------------------------------------------------------------------------
def test_retrying_a_failed_delivery_queues_it_again(
    billing_api, billing_key, mention, published, django_capture_on_commit_callbacks
):
    reply = services.reply_draft(actor=billing_key[0].user, mention_id=mention.pk, text="Hi")
    Reply.objects.filter(pk=reply.pk).update(state=ReplyState.FAILED, last_error="timeout")
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_api.post(f"/api/v1/replies/{reply.pk}/retry/")
    assert response.status_code == 200
    reply.refresh_from_db()
    assert reply.state == ReplyState.SENT and reply.last_error == ""
    assert Activity.objects.filter(mention=mention, verb="reply_retried").exists()


def test_retrying_a_reply_that_did_not_fail_is_a_409(billing_api, billing_key, mention):
    reply = services.reply_draft(actor=billing_key[0].user, mention_id=mention.pk, text="Hi")
    _error(billing_api.post(f"/api/v1/replies/{reply.pk}/retry/"), 409, "conflict")
    assert Reply.objects.get(pk=reply.pk).state == ReplyState.DRAFT


# --- schema ---------------------------------------------------------------------------------
def test_the_reply_operations_are_documented_with_their_errors(client, db):
    schema = client.get("/api/schema/?format=json").json()
    approve = schema["paths"]["/api/v1/replies/{reply_id}/approve/"]["post"]
    assert {"200", "403", "404", "409"} <= set(approve["responses"])
    assert approve["security"] and "ApiKey" in str(approve["security"])
    draft = schema["paths"]["/api/v1/mentions/{mention_id}/replies/"]["post"]
    assert draft["requestBody"]["content"]["application/json"]["examples"]
    assert "ReplyStateEnum" in schema["components"]["schemas"]
