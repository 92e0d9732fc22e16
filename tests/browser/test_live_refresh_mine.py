"""The "Mine" page refreshes live: a mention a lead assigns to me appears, one reassigned
away disappears, without a reload.

The page had no live subscription, so it only changed when reloaded. Here the mocked socket
plays the server's part: it passes the page an event only if the page subscribed to one of
the groups the event was published to, as ``core.consumers`` resolves that subscription.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from core.consumers import subscription_groups
from spokes import services
from tests.factories import MentionFactory


@pytest.fixture
def forward(live_socket, live_events, page: Page):
    """``forward(user)``: pass ``user``'s page the events published since the last call,
    those the server would deliver to its subscriptions; returns how many."""
    seen = [0]

    def _forward(user) -> int:
        subscriptions = [m for m in live_socket.sent if m.get("action") == "subscribe"]
        joined = set()
        for message in subscriptions:
            joined.update(subscription_groups(user, message["kind"], message["key"]) or ())
        new, seen[0] = live_events[seen[0] :], len(live_events)
        passed = [(event, payload) for event, payload, groups in new if joined & set(groups)]
        for event, payload in passed:
            live_socket.push(event, **payload)
        return len(passed)

    return _forward


def _open_mine(page: Page, login, user, live_socket, live_events):
    login(user)
    with page.expect_response(re.compile(r"partial=1")):  # the catch-up refresh on connecting
        page.goto("/mine/")
    expect(page.locator("#live-status")).to_have_text("live")
    assert {"action": "subscribe", "kind": "mine", "key": ""} in live_socket.sent
    live_events.clear()  # the fixtures' own events: before the page opened
    page.wait_for_timeout(300)


def _row(page: Page, mention):
    return page.locator(f'#queue-rows tr[data-mention-id="{mention.pk}"]')


def test_a_mention_a_lead_assigns_to_me_appears_on_my_page_without_a_reload(
    page: Page, login, agent, lead, billing, live_socket, live_events, forward
):
    mention = MentionFactory(department=billing, text="Where is my refund?")
    _open_mine(page, login, agent, live_socket, live_events)
    expect(_row(page, mention)).to_have_count(0)

    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=agent)

    assert forward(agent) == 1
    expect(_row(page, mention)).to_contain_text("Where is my refund?")
    expect(_row(page, mention)).to_contain_text("Assigned")


def test_a_mention_reassigned_to_a_colleague_leaves_my_page_without_a_reload(
    page: Page, login, agent, lead, billing, live_socket, live_events, forward
):
    mention = MentionFactory(department=billing, text="Where is my refund?")
    kept = MentionFactory(department=billing, text="The app logs me out")
    for each in (mention, kept):
        services.mention_assign(actor=lead, mention_id=each.pk, assignee=agent)
    _open_mine(page, login, agent, live_socket, live_events)
    expect(_row(page, mention)).to_be_visible()

    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=lead)

    assert forward(agent) == 1
    expect(_row(page, mention)).to_have_count(0)
    expect(_row(page, kept)).to_be_visible()


def test_another_departments_agent_is_passed_nothing_of_it(
    page: Page, login, agent, lead, other_agent, billing, live_socket, live_events, forward
):
    mention = MentionFactory(department=billing)
    _open_mine(page, login, other_agent, live_socket, live_events)

    services.mention_assign(actor=lead, mention_id=mention.pk, assignee=agent)

    assert live_events  # published, to billing
    assert forward(other_agent) == 0
