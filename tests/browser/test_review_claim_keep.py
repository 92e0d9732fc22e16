"""An approver editing a reply for longer than the claim's five minutes keeps it: typing in the
decision form renews the claim (at most once a minute), so a colleague does not take it from
under them; their text stays as typed."""

from datetime import timedelta

from playwright.sync_api import expect

from hub.models import DepartmentPolicy
from replies import services
from replies.models import Reply
from tests.factories import MentionFactory


def test_typing_in_the_decision_form_keeps_the_reply_taken(page, login, agent, comms, billing):
    DepartmentPolicy.objects.create(department=billing, require_approval_all=True)
    mention = MentionFactory(department=billing, text="Charged twice")
    draft = services.reply_draft(actor=agent, mention_id=mention.pk, text="We will refund you.")
    reply = services.reply_submit(actor=agent, reply_id=draft.pk)

    login(comms)
    page.goto(f"/replies/{reply.pk}/review/")
    page.get_by_role("button", name="Take this review").click()
    box = page.locator("#edit-text")
    expect(box).to_be_visible()
    before = box.input_value()  # the agent's text, signed
    # four and a half minutes of reading later, a minute short of lapsing
    taken = Reply.objects.get(pk=reply.pk).claimed_at
    Reply.objects.filter(pk=reply.pk).update(claimed_at=taken - timedelta(minutes=4, seconds=30))
    with page.expect_response(lambda r: r.url.endswith(f"/replies/{reply.pk}/claim/")) as kept:
        box.press("End")
        box.press_sequentially(" Sorry!")
    assert kept.value.status == 204
    renewed = Reply.objects.get(pk=reply.pk)
    assert renewed.claimed_by == comms and renewed.claimed_at > taken
    expect(box).to_have_value(before + " Sorry!")  # the panel was not re-rendered
