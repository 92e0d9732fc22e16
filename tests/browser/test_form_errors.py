"""A request sent by htmx that the server refuses says why, and the page stays as it was.

With DEBUG on (``make run``), django-htmx's debug script replaced the whole page with a 400
answer's bare text, losing everything typed in the incident's other forms; and htmx swaps no
error answer, so a refusal outside the incident page's own error slots said nothing."""

import re

import pytest
from playwright.sync_api import Page, expect

from incidents.models import IncidentFact
from incidents.services import incident_declare


@pytest.fixture
def incident(comms, billing):
    return incident_declare(
        actor=comms, title="Card payments failing", departments=[billing], keywords=["card"]
    )


def test_a_refused_fact_says_why_beside_the_form_and_keeps_the_input(
    page: Page, login, comms, incident, page_errors, settings
):
    settings.DEBUG = True  # as make run serves it
    page_errors.allow(r"status of 400|Response Status Error Code 400")
    login(comms)
    page.goto(f"/incidents/{incident.pk}/")
    form = page.locator("#fact-form")
    form.locator("#fact-text").fill("   ")
    form.locator("#fact-source").fill("Payments team")
    form.get_by_role("button", name="Add fact").click()
    expect(form.locator("p.error[role=alert]")).to_have_text(re.compile(r"^Text: "))
    expect(form.locator("#fact-source")).to_have_value("Payments team")
    expect(page.get_by_role("heading", name="Card payments failing")).to_be_visible()
    assert not IncidentFact.objects.exists()
    # once accepted, the reason goes away
    form.locator("#fact-text").fill("Card payments fail since 09:00.")
    form.get_by_role("button", name="Add fact").click()
    expect(page.locator("#panel-facts")).to_contain_text("Card payments fail since 09:00.")
    expect(form.locator("p.error[role=alert]")).to_have_text("")


def test_a_refusal_without_a_slot_shows_a_toast(page: Page, login, comms, incident, page_errors):
    page_errors.allow(r"status of 400|Response Status Error Code 400")
    login(comms)
    page.goto(f"/incidents/{incident.pk}/")
    page.evaluate(
        """() => htmx.ajax("POST", location.pathname + "do/fact/",
                           {source: "#panel-facts", values: {text: "  "}})"""
    )
    expect(page.locator("#toasts .toast-error")).to_contain_text("Text: ")
