"""A busy queue keeps refreshing while its department keeps changing.

At a few hundred mentions a second a department's sockets get an event about every 100 ms.
The queue used to wait for 250 ms without events before refreshing: under a steady stream it
never refreshed. It now refreshes at most every 2 s while events come, and once after the
last one.
"""

import time

from playwright.sync_api import Page, expect


def test_a_stream_of_events_refreshes_the_queue_every_two_seconds_not_every_event(
    page: Page, login, agent, billing, live_socket
):
    login(agent)
    page.goto(f"/d/{billing.slug}/")
    expect(page.locator("#live-status")).to_have_text("live")
    refreshes: list[float] = []
    page.on(
        "request",
        lambda request: (
            refreshes.append(time.monotonic() * 1000) if "partial=1" in request.url else None
        ),
    )
    page.wait_for_timeout(500)  # the catch-up refresh after connecting
    refreshes.clear()
    for _ in range(45):  # 4.5 s of events, one every 100 ms
        live_socket.push("mention.received", department_id=billing.pk, count=1)
        page.wait_for_timeout(100)
    during = len(refreshes)
    page.wait_for_timeout(2500)
    assert 2 <= during <= 6, refreshes  # the old debounce: none while events kept coming
    assert len(refreshes) == during + 1  # and one after the last event
    gaps = [b - a for a, b in zip(refreshes, refreshes[1:], strict=False)]
    assert all(gap >= 1500 for gap in gaps), gaps  # about 2 s apart, not 100 ms


def test_rows_answered_stale_are_asked_for_again_two_seconds_later(
    page: Page, login, agent, billing, live_socket, monkeypatch
):
    """While another request makes a queue's shared rows, the older ones come back marked
    ``X-Firebreak-Stale``: the page asks again (once, 2 s on) though no event follows."""
    from spokes import views

    real, answers = views.shared, []

    def stale_once(key, make, **options):
        rows, _ = real(key, make, **options)
        answers.append(key)
        return rows, len(answers) == 1

    login(agent)
    page.goto(f"/d/{billing.slug}/")
    expect(page.locator("#live-status")).to_have_text("live")
    page.wait_for_timeout(500)  # the catch-up refresh after connecting
    monkeypatch.setattr(views, "shared", stale_once)
    refreshes: list[float] = []
    page.on(
        "request",
        lambda request: (
            refreshes.append(time.monotonic() * 1000) if "partial=1" in request.url else None
        ),
    )
    live_socket.push("mention.received", department_id=billing.pk, count=1)
    page.wait_for_timeout(4500)
    assert len(refreshes) == 2, refreshes  # the stale answer, then the fresh one; no more
    assert refreshes[1] - refreshes[0] >= 1500, refreshes
