"""Central comms publishes a new template version; an agent's composer suggests it."""

from playwright.sync_api import expect

from hub.models import Guideline
from hub.services.guidelines import guideline_approve, guideline_create
from tests.factories import MentionFactory


def test_a_new_approved_version_reaches_the_agents_composer(page, login, agent, comms, billing):
    guideline = guideline_create(
        actor=comms,
        title="Double charge apology",
        kind="template",
        body="Hi {customer_name}, sorry about that.",
        department=billing,
    )
    guideline_approve(actor=comms, guideline_id=guideline.pk)
    mention = MentionFactory(department=billing, text="You charged me twice for one invoice")

    login(comms)
    page.goto(f"/hub/guidelines/{guideline.pk}/versions/new/")
    page.locator("#id_body").fill(
        "Hi {customer_name}, we have refunded the double charge: it shows in 3-5 days."
    )
    page.get_by_role("button", name="Save version").click()
    page.locator("#approve").click()
    expect(page.locator(".messages")).to_be_visible()
    guideline = Guideline.objects.get(pk=guideline.pk)
    assert guideline.current_version.number == 2

    page.get_by_role("button", name="Log out").click()
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    picker = page.locator("#guideline_version")
    expect(picker).to_contain_text("Double charge apology")
    picker.select_option(value=str(guideline.current_version_id))
    expect(page.locator("#reply-text")).to_have_value(
        f"Hi {mention.author.display_name}, we have refunded the double charge: it shows in "
        f"3-5 days. ^{agent.display_initials}"
    )
