"""An agent offers compensation over their limit; central comms approves; the agent sees it sent."""

from decimal import Decimal

from playwright.sync_api import expect

from hub.models import CompensationPolicy, DepartmentPolicy, DiscretionLimit
from replies.models import Reply
from tests.factories import MentionFactory


def test_compensation_over_the_limit_goes_through_comms_and_is_sent(
    page, login, agent, comms, billing
):
    DepartmentPolicy.objects.create(department=billing)
    CompensationPolicy.objects.create(name="Goodwill voucher", kind="voucher", unit="money")
    DiscretionLimit.objects.create(role="agent", amount=Decimal("50"))
    DiscretionLimit.objects.create(role="comms", amount=Decimal("2000"))
    mention = MentionFactory(department=billing, text="Charged twice and nobody answers!")

    login(agent)
    page.goto(f"/m/{mention.pk}/")
    page.locator("#reply-text").fill("So sorry for the double charge: here is a voucher.")
    page.locator("#comp-policy").select_option(label="Goodwill voucher (EUR) · your limit 50.00")
    page.locator("#comp-amount").fill("120")
    page.get_by_role("button", name="Check approval").click()
    expect(page.locator("#approval-check")).to_contain_text("Needs approval")
    expect(page.locator("#approval-check")).to_contain_text("discretion limit")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Sent to central comms for approval")
    expect(page.locator(".composer .replies")).to_contain_text("Pending approval")

    page.get_by_role("button", name="Log out").click()
    login(comms)
    page.goto("/replies/approvals/")
    page.get_by_role("link", name="So sorry for the double charge").click()
    expect(page.locator(".diff")).to_contain_text("voucher")
    page.get_by_role("button", name="Take this review").click()  # opening it takes nothing
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Decision recorded")

    page.get_by_role("button", name="Log out").click()
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    expect(page.locator(".composer .replies")).to_contain_text("Sent")
    reply = Reply.objects.get(mention=mention)
    assert reply.state == "sent" and reply.decided_by == comms
