from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from core.errors import Conflict, NotFound, PermissionDenied
from replies import services
from replies.models import Reply, ReplyState
from tests.factories import UserFactory


def test_comms_approves_and_the_reply_is_delivered_and_audited(
    comms, pending, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_approve(actor=comms, reply_id=pending.pk, comment="Good")
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.SENT
    assert reply.decided_by == comms
    assert AuditEvent.objects.filter(action="reply.approved", target_id=str(reply.pk)).exists()
    events = [e for e, _, _ in published]
    assert "reply.approved" in events and "reply.sent" in events
    assert "notification.created" in events
    reply.mention.refresh_from_db()
    assert reply.mention.status == "replied"
    assert reply.mention.first_response_at is not None


def test_edit_and_approve_changes_the_text(comms, pending):
    services.reply_approve(actor=comms, reply_id=pending.pk, text="We have refunded you.")
    assert Reply.objects.get(pk=pending.pk).text.startswith("We have refunded you.")


def test_request_changes_returns_it_to_the_agent_with_the_comment(comms, agent, pending):
    services.reply_request_changes(actor=comms, reply_id=pending.pk, comment="Softer, please")
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.CHANGES_REQUESTED
    assert reply.decision_comment == "Softer, please"
    assert reply.mention.status == "new"
    services.reply_update(actor=agent, reply_id=reply.pk, text="So sorry, refund on its way.")
    assert services.reply_submit(actor=agent, reply_id=reply.pk).state == "pending_approval"


def test_request_changes_needs_a_comment(comms, pending):
    from core.errors import DomainError

    with pytest.raises(DomainError) as excinfo:
        services.reply_request_changes(actor=comms, reply_id=pending.pk, comment="")
    assert excinfo.value.field == "comment"


def test_reject(comms, pending):
    services.reply_reject(actor=comms, reply_id=pending.pk, comment="No")
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.REJECTED


def test_an_approver_cannot_approve_their_own_reply(billing, mention, policy):
    from spokes.services import membership_set

    writer = UserFactory(username="comms_writer", org_role="comms")
    membership_set(actor=None, user=writer, department=billing, role="agent")
    policy.require_approval_all = True
    policy.save()
    reply = services.reply_draft(actor=writer, mention_id=mention.pk, text="Hello")
    services.reply_submit(actor=writer, reply_id=reply.pk)
    with pytest.raises(PermissionDenied):
        services.reply_approve(actor=writer, reply_id=reply.pk)
    assert Reply.objects.get(pk=reply.pk).state == ReplyState.PENDING_APPROVAL


def test_agents_cannot_decide(agent, lead, pending):
    for actor in (agent, lead):
        with pytest.raises(PermissionDenied):
            services.reply_approve(actor=actor, reply_id=pending.pk)
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.PENDING_APPROVAL


def test_two_approvers_one_decision(comms, pending):
    second = UserFactory(username="comms2", org_role="comms")
    services.reply_claim(actor=comms, reply_id=pending.pk)
    with pytest.raises(Conflict, match="is deciding"):
        services.reply_claim(actor=second, reply_id=pending.pk)
    with pytest.raises(Conflict):
        services.reply_approve(actor=second, reply_id=pending.pk)
    services.reply_approve(actor=comms, reply_id=pending.pk)
    with pytest.raises(Conflict, match="Already decided"):
        services.reply_reject(actor=second, reply_id=pending.pk)
    assert (
        AuditEvent.objects.filter(target_id=str(pending.pk), action__startswith="reply.").count()
        == 1
    )


def test_a_foreign_agent_cannot_even_see_the_reply(other_agent, pending):
    with pytest.raises(NotFound):
        services.reply_submit(actor=other_agent, reply_id=pending.pk)


def test_approval_approves_the_compensation_offer(comms, agent, mention, policy, voucher):
    from hub.models import CompensationOffer
    from hub.services.compensation import compensation_offer_create

    offer = compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=Decimal("120")
    ).offer
    reply = services.reply_draft(
        actor=agent, mention_id=mention.pk, text="A voucher for you", compensation_offer_id=offer.pk
    )
    services.reply_submit(actor=agent, reply_id=reply.pk)
    services.reply_approve(actor=comms, reply_id=reply.pk)
    offer = CompensationOffer.objects.get(pk=offer.pk)
    assert offer.status == "offered" and offer.approved_by == comms


def test_sent_replies_are_immutable(agent, mention, policy, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_draft(actor=agent, mention_id=mention.pk, text="Hi")
        services.reply_submit(actor=agent, reply_id=reply.pk)
    assert Reply.objects.get(pk=reply.pk).state == ReplyState.SENT
    with pytest.raises(Conflict):
        services.reply_update(actor=agent, reply_id=reply.pk, text="changed")


def test_the_approval_queue_lists_incident_replies_first_then_oldest(
    client, comms, agent, billing, policy
):
    from incidents.models import Incident, IncidentMention
    from tests.factories import MentionFactory

    policy.require_approval_all = True
    policy.save()
    ids = []
    for _ in range(3):
        m = MentionFactory(department=billing)
        r = services.reply_draft(actor=agent, mention_id=m.pk, text="Hi")
        ids.append(services.reply_submit(actor=agent, reply_id=r.pk).pk)
    crisis = MentionFactory(department=billing)
    incident = Incident.objects.create(title="Outage", severity="major", declared_by=comms)
    IncidentMention.objects.create(incident=incident, mention=crisis)
    r = services.reply_draft(actor=agent, mention_id=crisis.pk, text="Hi")
    crisis_reply = services.reply_submit(actor=agent, reply_id=r.pk).pk
    client.force_login(comms)
    page = client.get("/replies/approvals/").content.decode()
    import re

    order = [int(i) for i in re.findall(r'data-reply-id="(\d+)"', page)]
    assert order == [crisis_reply, *ids]
    client.force_login(agent)
    assert client.get("/replies/approvals/").status_code == 404


def test_approve_sends_the_text_as_it_reads_in_the_review_box(client, comms, pending):
    """The reviewer's edit went nowhere when the primary button, Approve, was clicked: the
    agent's text was sent. A box left as it was (the browser's CRLF line ends) is no edit."""
    client.force_login(comms)
    client.post(f"/replies/{pending.pk}/claim/")
    original = Reply.objects.get(pk=pending.pk).text
    response = client.post(
        f"/replies/{pending.pk}/decide/",
        {"decision": "approve", "text": "We have refunded you,\r\nand added a voucher."},
    )
    assert response.status_code == 302
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.text.startswith("We have refunded you,\nand added a voucher.")
    assert reply.text != original
    assert AuditEvent.objects.get(action="reply.approved").data["edited"] is True


def test_approving_an_unchanged_box_is_no_edit(client, comms, agent, mention, billing):
    from hub.models import DepartmentPolicy

    DepartmentPolicy.objects.get_or_create(
        department=billing, defaults={"require_approval_all": True}
    )
    DepartmentPolicy.objects.filter(department=billing).update(require_approval_all=True)
    draft = services.reply_draft(actor=agent, mention_id=mention.pk, text="Line one.\nLine two.")
    services.reply_submit(actor=agent, reply_id=draft.pk)
    text = Reply.objects.get(pk=draft.pk).text
    client.force_login(comms)
    client.post(
        f"/replies/{draft.pk}/decide/",
        {"decision": "approve", "text": text.replace("\n", "\r\n")},
    )
    assert Reply.objects.get(pk=draft.pk).text == text
    assert AuditEvent.objects.get(action="reply.approved").data["edited"] is False


def test_the_agents_fix_goes_back_for_approval_with_submit(client, comms, agent, pending):
    """After "Request changes", the edit box and Submit sent the old text back to central
    comms (Submit ignored the box); the fix now goes, in one step."""
    services.reply_request_changes(actor=comms, reply_id=pending.pk, comment="Softer, please")
    client.force_login(agent)
    response = client.post(
        f"/replies/{pending.pk}/action/",
        {"action": "submit", "text": "So sorry, your refund is on its way."},
        follow=True,
    )
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.state == ReplyState.PENDING_APPROVAL
    assert reply.text.startswith("So sorry, your refund is on its way.")
    assert "Sent to central comms for approval." in response.content.decode()
    # an empty box is refused by name, and the reply stays as it was
    services.reply_request_changes(actor=comms, reply_id=pending.pk, comment="Shorter")
    refused = client.post(
        f"/replies/{pending.pk}/action/", {"action": "submit", "text": "  "}, follow=True
    )
    assert "Text: A reply needs text." in refused.content.decode()
    assert Reply.objects.get(pk=pending.pk).state == ReplyState.CHANGES_REQUESTED


def test_what_the_author_is_told_and_the_history_read_as_sentences(client, comms, agent, pending):
    from core.models import Notification

    services.reply_request_changes(actor=comms, reply_id=pending.pk, comment="Softer, please")
    note = Notification.objects.filter(user=agent).latest("id")
    assert note.text == f"Your reply on mention #{pending.mention_id} needs changes: Softer, please"
    client.force_login(agent)
    page = client.get(f"/m/{pending.mention_id}/").content.decode()
    assert "reply drafted" in page and "reply changes requested" in page
    assert "replydrafted" not in page


def test_a_decision_too_late_reads_as_a_sentence_not_a_field_code(client, comms, pending):
    """Refusals on a page name the field as the form does ("Text: ..."); one about the reply's
    state names no field at all (it read "state: Already decided by ...")."""
    second = UserFactory(username="comms2", org_role="comms")
    services.reply_reject(actor=second, reply_id=pending.pk)
    client.force_login(comms)
    page = client.post(
        f"/replies/{pending.pk}/decide/", {"decision": "approve"}, follow=True
    ).content.decode()
    assert f"Already decided by {second}." in page
    assert "state:" not in page.lower()
