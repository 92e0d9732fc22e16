"""Central comms' approval queue follows the replies sent to it, without a reload.

The page subscribes to the hub's group, where ``replies.services`` publishes
``reply.submitted``, ``reply.claimed`` and the decisions; it used to ignore them all, so a new
submission appeared only on reload. The queue is now fetched again on those events.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from core.events import hub_group
from hub.models import DepartmentPolicy
from replies import services


@pytest.fixture
def approval_for_everything(billing):
    return DepartmentPolicy.objects.create(department=billing, require_approval_all=True)


def _submit(agent, mention, text):
    reply = services.reply_draft(actor=agent, mention_id=mention.pk, text=text)
    return services.reply_submit(actor=agent, reply_id=reply.pk)


def _push_hub_events(live_socket, live_events, since: int) -> list[str]:
    """Send the page what the hub's group got since ``since``, as the consumer would."""
    sent = []
    for event, payload, groups in live_events[since:]:
        if hub_group() in groups:
            live_socket.push(event, **payload)
            sent.append(event)
    return sent


def test_a_new_submission_appears_and_a_decision_removes_it(
    page: Page,
    login,
    agent,
    comms,
    admin_user,
    mention,
    live_socket,
    live_events,
    approval_for_everything,
):
    login(comms)
    page.goto("/replies/approvals/")
    expect(page.locator("#live-status")).to_have_text("live")
    assert {"action": "subscribe", "kind": "hub", "key": "approvals"} in live_socket.sent
    expect(page.locator("#approvals")).to_contain_text("Nothing waiting for approval")
    page.evaluate("window.__notReloaded = true")

    seen = len(live_events)
    reply = _submit(agent, mention, "We have refunded the double charge.")
    with page.expect_response(re.compile(r"/replies/approvals/\?partial=1")):
        assert _push_hub_events(live_socket, live_events, seen) == ["reply.submitted"]
    row = page.locator(f'#approvals tr[data-reply-id="{reply.pk}"]')
    expect(row).to_contain_text("We have refunded the double charge.")
    expect(page.locator("h1")).to_contain_text("1 waiting")

    seen = len(live_events)
    services.reply_claim(actor=admin_user, reply_id=reply.pk)  # another approver takes it
    assert _push_hub_events(live_socket, live_events, seen) == ["reply.claimed"]
    expect(row).to_contain_text("admin")

    seen = len(live_events)
    services.reply_reject(actor=admin_user, reply_id=reply.pk, comment="Not this way")
    assert "reply.rejected" in _push_hub_events(live_socket, live_events, seen)
    expect(row).to_have_count(0)
    expect(page.locator("#approvals")).to_contain_text("Nothing waiting for approval")
    expect(page.locator("h1")).to_contain_text("0 waiting")
    assert page.evaluate("window.__notReloaded === true")  # refreshed in place


def test_a_burst_of_submissions_is_one_refresh_not_one_each(
    page: Page, login, agent, comms, billing, live_socket, live_events, approval_for_everything
):
    from tests.factories import MentionFactory

    login(comms)
    page.goto("/replies/approvals/")
    expect(page.locator("#live-status")).to_have_text("live")
    page.wait_for_timeout(600)  # the catch-up refresh after connecting
    refreshes = []
    page.on("request", lambda r: refreshes.append(r.url) if "partial=1" in r.url else None)
    seen = len(live_events)
    for n in range(5):
        _submit(agent, MentionFactory(department=billing), f"Sorry about that ({n})")
    _push_hub_events(live_socket, live_events, seen)
    expect(page.locator("#approvals tr.row")).to_have_count(5)
    page.wait_for_timeout(600)
    assert len(refreshes) == 1, refreshes


def test_an_agents_page_does_not_fetch_the_approval_queue(
    page: Page, login, agent, billing, live_socket
):
    login(agent)
    page.goto(f"/d/{billing.slug}/")
    expect(page.locator("#live-status")).to_have_text("live")
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "approvals" in r.url else None)
    live_socket.push("reply.submitted", id=1, mention_id=1, state="pending_approval")
    page.wait_for_timeout(800)
    assert fetched == []
