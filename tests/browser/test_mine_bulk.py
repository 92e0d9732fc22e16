"""Bulk actions on "Mine" in a browser: an agent selects some of their mentions by their boxes,
resolves them with the bulk form, and comes back to the page without them; a live refresh
keeps what was selected, as on a queue."""

import re

import pytest
from playwright.sync_api import Page, expect

from spokes.models import Mention, Status
from tests.factories import MentionFactory


@pytest.fixture
def my_three(agent, billing):
    return [
        MentionFactory(
            department=billing, assignee=agent, status=Status.ASSIGNED, text=f"Problem {n}"
        )
        for n in range(3)
    ]


def _open_mine(page: Page, login, user):
    login(user)
    page.goto("/mine/")
    expect(page.locator("#live-status")).to_have_text("live")
    page.wait_for_load_state("networkidle")  # the catch-up refresh after connecting is done


def _box(page: Page, mention):
    return page.locator(f'#queue-rows tr[data-mention-id="{mention.pk}"] input[name="ids"]')


def _row(page: Page, mention):
    return page.locator(f'#queue-rows tr[data-mention-id="{mention.pk}"]')


def test_an_agent_resolves_two_of_their_mentions_from_mine(page: Page, login, agent, my_three):
    first, second, third = my_three
    _open_mine(page, login, agent)
    count, apply = page.locator("#bulk-count"), page.locator("#bulk-apply")
    expect(count).to_have_text("None selected")
    expect(apply).to_be_disabled()

    _box(page, first).check()
    _box(page, third).check()
    expect(count).to_have_text("2 selected")
    page.locator("#bulk-action").select_option(label="Resolve")
    apply.click()

    expect(page.locator("ul.messages")).to_contain_text("2 mention(s) updated.")
    assert page.url.endswith("/mine/")
    expect(_row(page, first)).to_have_count(0)  # "Mine" shows open ones unless asked
    expect(_row(page, third)).to_have_count(0)
    expect(_row(page, second)).to_be_visible()
    statuses = dict(Mention.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.RESOLVED,
        second.pk: Status.ASSIGNED,
        third.pk: Status.RESOLVED,
    }


def test_a_live_refresh_of_mine_keeps_the_selection(
    page: Page, login, agent, billing, my_three, live_socket
):
    first, second, _ = my_three
    _open_mine(page, login, agent)
    _box(page, first).check()
    page.keyboard.press("j")  # the first row
    page.keyboard.press("j")  # the second: "x" selects it, as on a queue
    page.keyboard.press("x")
    expect(_box(page, second)).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("2 selected")

    arrived = MentionFactory(
        department=billing, assignee=agent, status=Status.ASSIGNED, text="Newly mine"
    )
    with page.expect_response(re.compile(r"partial=1")):
        live_socket.push("mention.assigned", id=arrived.pk, department_id=billing.pk)
    expect(_row(page, arrived)).to_be_visible()

    expect(_box(page, first)).to_be_checked()  # still selected after the rows were replaced
    expect(_box(page, second)).to_be_checked()
    expect(_box(page, arrived)).not_to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("2 selected")
