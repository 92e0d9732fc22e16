"""A reply sent for approval moves its mention to "Awaiting approval": the queues watching it
show that live (they listened to mention events only, and a submission sends reply events)."""

import re

from playwright.sync_api import Page, expect

from hub.models import DepartmentPolicy
from replies import services
from tests.factories import MentionFactory


def test_a_submitted_reply_moves_its_row_in_the_queue(
    page: Page, login, agent, lead, billing, live_socket
):
    DepartmentPolicy.objects.create(department=billing, require_approval_all=True)
    mention = MentionFactory(department=billing, text="Where is my refund?")
    login(lead)
    with page.expect_response(re.compile(r"partial=1")):
        page.goto(f"/d/{billing.slug}/")
    expect(page.locator("#live-status")).to_have_text("live")
    row = page.locator(f'#queue-rows tr[data-mention-id="{mention.pk}"]')
    expect(row).not_to_contain_text("Awaiting approval")
    draft = services.reply_draft(actor=agent, mention_id=mention.pk, text="We are on it.")
    reply = services.reply_submit(actor=agent, reply_id=draft.pk)
    live_socket.push(
        "reply.submitted",
        id=reply.pk,
        mention_id=mention.pk,
        state=reply.state,
        author_id=agent.pk,
        needs_approval=True,
    )
    expect(row).to_contain_text("Awaiting approval")
