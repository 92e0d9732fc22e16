"""The audit log says from where: every row written while a request is served carries the
client's address, whatever service writes it (it was recorded for logins only)."""

import pytest

from accounts.models import AuditEvent
from hub.models import DepartmentPolicy
from replies import services


@pytest.fixture
def pending(agent, mention, billing):
    DepartmentPolicy.objects.create(department=billing, require_approval_all=True)
    reply = services.reply_draft(actor=agent, mention_id=mention.pk, text="We will refund you.")
    return services.reply_submit(actor=agent, reply_id=reply.pk)


def test_a_decision_in_the_web_ui_records_the_address(client, comms, pending):
    client.force_login(comms)
    response = client.post(
        f"/replies/{pending.pk}/decide/",
        {"decision": "reject", "comment": "Off message."},
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="reply.rejected", target_id=str(pending.pk))
    assert (event.actor, event.ip_address) == (comms, "198.51.100.4")


def test_a_decision_through_the_api_records_the_address(api, make_key, billing, pending):
    plain = make_key(billing, scopes=("read", "write", "approve"))[1]
    response = api(plain).post(
        f"/api/v1/replies/{pending.pk}/reject/",
        {"comment": "Off message."},
        format="json",
        REMOTE_ADDR="2001:db8::7",
    )
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(action="reply.rejected", target_id=str(pending.pk))
    assert event.ip_address == "2001:db8::7"


def test_work_outside_a_request_has_no_address_and_nothing_leaks_between_requests(
    client, comms, pending
):
    client.force_login(comms)
    client.get("/replies/approvals/", REMOTE_ADDR="198.51.100.9")
    services.reply_reject(actor=comms, reply_id=pending.pk, comment="From the shell.")
    assert AuditEvent.objects.get(action="reply.rejected").ip_address is None


def test_an_address_that_is_not_one_is_left_out(client, comms, pending):
    client.force_login(comms)
    response = client.post(
        f"/replies/{pending.pk}/decide/",
        {"decision": "reject", "comment": "Off message."},
        REMOTE_ADDR="unix:/run/firebreak.sock",
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="reply.rejected").ip_address is None


def test_the_audit_log_shows_details_as_text_not_as_a_dictionary(client, admin_user, pending):
    services.reply_reject(actor=admin_user, reply_id=pending.pk, comment="<b>Off</b> message")
    client.force_login(admin_user)
    page = client.get("/audit/?action=reply.").content.decode()
    assert "comment: &lt;b&gt;Off&lt;/b&gt; message" in page
    assert "{&#x27;" not in page and 'aria-current="page">Audit<' in page
