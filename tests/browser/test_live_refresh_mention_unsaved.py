"""A colleague's change to an open mention never wipes what the agent is typing.

The mention page reloaded itself on every ``mention.*`` event for its mention, 600 ms after a
"reloading" toast: a half-typed reply or note was lost. It now reloads only when nothing on
the page is unsaved; otherwise it keeps the page and shows a notice with a Reload button.
"""

from playwright.sync_api import Page, expect

from spokes import services


def _mark(page: Page) -> None:
    """Something only this very document has: gone after a reload."""
    page.evaluate("window.__notReloaded = true")


def _not_reloaded(page: Page) -> bool:
    return page.evaluate("window.__notReloaded === true")


def test_a_half_typed_reply_survives_a_colleague_tagging_the_mention(
    page: Page, login, agent, lead, mention, live_socket, live_events
):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    expect(page.locator("#live-status")).to_have_text("live")
    _mark(page)
    page.locator("#reply-text").fill("Hello, we are looking into your double char")
    services.mention_set_tags(actor=lead, mention_id=mention.pk, add=["refund"])
    event, payload, _ = live_events[-1]
    assert event.startswith("mention.")
    live_socket.push(event, **payload)
    notice = page.locator("#mention-changed")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("changed this mention")
    page.wait_for_timeout(1500)  # the old reload came 600 ms after the event
    assert _not_reloaded(page)
    expect(page.locator("#reply-text")).to_have_value("Hello, we are looking into your double char")
    expect(notice).to_be_visible()  # persistent, unlike a toast
    live_socket.push(event, **payload)  # a second change: still one notice
    expect(page.locator("#mention-changed")).to_have_count(1)

    with page.expect_navigation():
        notice.get_by_role("button", name="Reload").click()
    assert not _not_reloaded(page)
    expect(page.locator(".mention-card")).to_contain_text("refund")  # the change is shown


def test_a_half_typed_note_is_kept_too(page: Page, login, agent, mention, live_socket):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    expect(page.locator("#live-status")).to_have_text("live")
    _mark(page)
    page.locator("#note-body").fill("@lead this one is a repeat complainer")
    live_socket.push("mention.assigned", id=mention.pk, department_id=mention.department_id)
    expect(page.locator("#mention-changed")).to_be_visible()
    page.wait_for_timeout(1200)
    assert _not_reloaded(page)
    expect(page.locator("#note-body")).to_have_value("@lead this one is a repeat complainer")


def test_with_nothing_typed_the_page_still_reloads_by_itself(
    page: Page, login, agent, mention, live_socket
):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    expect(page.locator("#live-status")).to_have_text("live")
    _mark(page)
    with page.expect_navigation():
        live_socket.push("mention.assigned", id=mention.pk, department_id=mention.department_id)
    assert not _not_reloaded(page)
    expect(page.locator("#mention-changed")).to_have_count(0)


def test_typing_then_clearing_it_again_counts_as_nothing_typed(
    page: Page, login, agent, mention, live_socket
):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    expect(page.locator("#live-status")).to_have_text("live")
    _mark(page)
    page.locator("#reply-text").fill("Hel")
    page.locator("#reply-text").fill("")
    with page.expect_navigation():
        live_socket.push("mention.assigned", id=mention.pk, department_id=mention.department_id)
    assert not _not_reloaded(page)


def test_another_mentions_change_neither_reloads_nor_warns(
    page: Page, login, agent, mention, live_socket
):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    expect(page.locator("#live-status")).to_have_text("live")
    _mark(page)
    live_socket.push("mention.assigned", id=mention.pk + 1000, department_id=1)
    page.wait_for_timeout(1000)
    assert _not_reloaded(page)
    expect(page.locator("#mention-changed")).to_have_count(0)
