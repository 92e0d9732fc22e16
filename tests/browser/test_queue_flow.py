"""Acceptance: an agent logs in, filters the queue, assigns a mention to themself, adds a
note, resolves it; and cannot open another department's mention."""

import re

import pytest
from playwright.sync_api import Page, expect

from spokes.models import Mention, Note
from tests.factories import MentionFactory

INVOICE = "I was charged twice on my invoice this month, please fix it"


@pytest.fixture
def billing_mentions(billing):
    return {
        "invoice": MentionFactory(department=billing, text=INVOICE),
        "luggage": MentionFactory(department=billing, text="My luggage never arrived"),
        "app": MentionFactory(department=billing, text="Love the new app, great work"),
    }


@pytest.fixture
def support_invoice(support):
    # matches the search too: only department scoping keeps it out of billing's queue
    return MentionFactory(department=support, text="The invoice page crashes on my phone")


def rows(page: Page):
    return page.locator("#queue-rows tr.row")


def test_agent_filters_assigns_notes_and_resolves(
    page: Page, login, agent, lead, billing_mentions, support_invoice, live_socket, live_events
):
    invoice = billing_mentions["invoice"]

    login(agent)
    expect(page).to_have_url(re.compile(r"/d/billing/$"))
    expect(rows(page)).to_have_count(3)
    expect(page.locator("#queue-rows")).not_to_contain_text("invoice page crashes")

    # filter with the search box
    filters = page.get_by_role("search", name="Filter mentions")
    filters.get_by_role("searchbox", name="Search").fill("invoice")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]q=invoice(&|$)"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_have_attribute("data-mention-id", str(invoice.pk))
    expect(rows(page).first).to_contain_text("charged twice on my invoice")
    expect(page.locator("#queue-rows")).not_to_contain_text("luggage")
    expect(page.locator("#queue-rows")).not_to_contain_text("invoice page crashes")
    expect(filters.get_by_role("searchbox", name="Search")).to_have_value("invoice")

    # open it
    rows(page).first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/m/{invoice.pk}/$"))
    status = page.locator("h1 .pill.status")
    expect(status).to_have_text("New")
    expect(page.locator("#assignee")).to_have_text("unassigned")
    expect(page.locator("#live-status")).to_have_text("live")
    assert {"action": "subscribe", "kind": "mention", "key": str(invoice.pk)} in live_socket.sent

    # assign to me
    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_role("status").first).to_contain_text("Assigned to you.")
    expect(status).to_have_text("Assigned")
    expect(page.locator("#assignee")).to_have_text(agent.username)

    # add a note that tells the lead
    page.locator("#note-body").fill("Checked with @lead")
    page.get_by_role("button", name="Add note").click()
    expect(page).to_have_url(re.compile(rf"/m/{invoice.pk}/#notes$"))
    note = page.locator("#notes ul.notes li").filter(has_text="Checked with @lead")
    expect(note).to_have_count(1)
    expect(note.locator("strong")).to_have_text(agent.username)

    # resolve
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status").first).to_contain_text("Status changed.")
    expect(status).to_have_text("Resolved")
    expect(page.locator("#assignee")).to_have_text(agent.username)

    stored = Mention.objects.get(pk=invoice.pk)
    assert stored.status == "resolved"
    assert stored.assignee_id == agent.pk
    assert stored.resolved_at is not None
    assert list(Note.objects.get(mention=stored).mentioned_users.all()) == [lead]
    changes = [
        event
        for event, payload, _ in live_events
        if event.startswith("mention.") and payload["id"] == invoice.pk
    ]
    assert changes == ["mention.assigned", "mention.note_added", "mention.status_changed"]
    assert any(
        event == "notification.created" and f"user.{lead.pk}" in groups
        for event, _, groups in live_events
    )

    # back in the queue, the open view no longer lists it
    page.get_by_role("link", name="Billing queue").click()
    expect(page).to_have_url(re.compile(r"/d/billing/$"))
    expect(rows(page)).to_have_count(2)
    expect(page.locator(f'#queue-rows tr[data-mention-id="{invoice.pk}"]')).to_have_count(0)


def test_other_departments_mention_is_a_404(page: Page, login, page_errors, agent, foreign_mention):
    page_errors.allow(r"status of 404 \(Not Found\)")  # the document itself, expected
    login(agent)

    response = page.goto(f"/m/{foreign_mention.pk}/")

    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text(foreign_mention.text)
    expect(page.get_by_role("button", name="Assign to me")).to_have_count(0)
