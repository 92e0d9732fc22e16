"""The mention page in a browser: the resolve shortcut asks first, shortcuts never fire while
typing, a reply template never drops typed text, and the page fits a 1280 px window."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from hub.models import CompensationPolicy, DiscretionLimit
from hub.services.guidelines import guideline_approve, guideline_create
from spokes.models import Mention, Status
from tests.factories import MentionFactory


def _status(mention) -> str:
    return Mention.objects.get(pk=mention.pk).status


@pytest.fixture
def apology(comms, billing):
    guideline = guideline_create(
        actor=comms,
        title="Double charge apology",
        kind="template",
        body="Sorry about the double charge: it is refunded.",
        department=billing,
    )
    return guideline_approve(actor=comms, guideline_id=guideline.pk)


def test_the_e_shortcut_asks_before_resolving_and_escape_cancels(page, login, agent, mention):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    page.keyboard.press("e")
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(f"Resolve mention #{mention.pk}?")
    expect(question.get_by_role("button", name="Resolve")).to_be_focused()
    page.wait_for_timeout(300)  # the old page would be on its way to resolving it by now
    assert _status(mention) == Status.NEW

    page.keyboard.press("Escape")
    expect(question).to_have_count(0)
    # and typing is never a shortcut: an "e" and an "a" in a note neither ask nor act
    note = page.locator("#note-body")
    note.click()
    page.keyboard.type("we need a refund here, agreed")
    expect(note).to_have_value("we need a refund here, agreed")
    expect(question).to_have_count(0)
    assert _status(mention) == Status.NEW
    assert Mention.objects.get(pk=mention.pk).assignee_id is None


def test_pressing_e_twice_resolves(page, login, agent, mention):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    page.keyboard.press("e")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.keyboard.press("e")
    expect(page.locator("h1 .status")).to_have_text("Resolved")
    assert _status(mention) == Status.RESOLVED
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    expect(page.get_by_role("button", name="Resolve")).to_have_count(0)


def test_e_then_enter_resolves_and_cancel_does_not(page, login, agent, mention):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    page.keyboard.press("e")
    question = page.get_by_role("alertdialog")
    question.get_by_role("button", name="Cancel").click()
    expect(question).to_have_count(0)
    assert _status(mention) == Status.NEW
    page.keyboard.press("e")
    expect(question).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("h1 .status")).to_have_text("Resolved")


def test_a_template_fills_an_empty_box_replaces_an_untouched_one_and_keeps_typed_text(
    page, login, agent, mention, apology, comms, billing
):
    thanks = guideline_create(
        actor=comms,
        title="Thanks",
        kind="template",
        body="Thanks for telling us.",
        department=billing,
    )
    thanks = guideline_approve(actor=comms, guideline_id=thanks.pk)
    signature = f" ^{agent.display_initials}"
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    box = page.locator("#reply-text")
    picker = page.locator("#guideline_version")
    picker.select_option(value=str(apology.pk))
    expect(box).to_have_value("Sorry about the double charge: it is refunded." + signature)
    picker.select_option(value=str(thanks.pk))  # a change of mind: nothing typed is lost
    expect(box).to_have_value("Thanks for telling us." + signature)

    box.fill("Hello there,\nKind regards")
    box.evaluate("(el) => el.setSelectionRange(13, 13)")  # after "Hello there,\n"
    picker.select_option(value=str(apology.pk))
    expect(box).to_have_value(
        "Hello there,\nSorry about the double charge: it is refunded."
        + signature
        + "\nKind regards"
    )
    expect(page.locator("#toasts")).to_contain_text("what you typed is kept")
    with page.expect_response(lambda r: "/template/" in r.url):
        picker.select_option(value="")  # "write freely" keeps what is there too
    expect(picker).not_to_have_class(re.compile("htmx-request"))  # its answer handled
    assert box.input_value().startswith("Hello there,\nSorry about the double charge")


def test_the_page_fits_a_1280_window_and_hides_an_empty_incidents_card(page, login, agent, billing):
    CompensationPolicy.objects.create(
        name="Goodwill voucher for a refund that took more than a fortnight",
        kind="voucher",
        unit="money",
    )
    DiscretionLimit.objects.create(role="agent", amount=Decimal("50"))
    mention = MentionFactory(department=billing)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    expect(page.locator("fieldset.compensation")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the incidents fragment has come
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    composer = page.locator("#composer").bounding_box()
    fieldset = page.locator("fieldset.compensation").bounding_box()
    assert fieldset["x"] + fieldset["width"] <= composer["x"] + composer["width"]
    expect(page.locator(".incident-links")).to_be_hidden()
