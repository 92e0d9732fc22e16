"""The department queue in a browser: "select all on this page" in the header, a selection that
survives a live refresh, an "r" that never sends a reply at once, and a top bar that fits a
1024 px window."""

import pytest
from playwright.sync_api import Page, expect

from replies.models import Reply
from spokes.models import Mention, Status
from tests.factories import DepartmentFactory, MentionFactory

SELECT_ALL = "Select all on this page"


@pytest.fixture
def three_mentions(billing):
    return [MentionFactory(department=billing, text=f"Problem number {n}") for n in range(3)]


def _row_boxes(page: Page):
    return page.locator('#queue-rows input[type=checkbox][name="ids"]')


def _select_all(page: Page):
    return page.get_by_role("checkbox", name=SELECT_ALL)


def _indeterminate(page: Page) -> bool:
    return page.locator("#select-all").evaluate("(el) => el.indeterminate")


def test_select_all_checks_and_unchecks_every_row_and_shows_a_partial_selection(
    page, login, agent, billing, three_mentions
):
    login(agent)
    page.goto(f"/d/{billing.slug}/")
    boxes = _row_boxes(page)
    expect(boxes).to_have_count(3)
    select_all = _select_all(page)
    expect(select_all).not_to_be_checked()

    select_all.check()
    for n in range(3):
        expect(boxes.nth(n)).to_be_checked()
    assert not _indeterminate(page)

    boxes.nth(1).uncheck()  # some, not all: the header says so
    expect(select_all).not_to_be_checked()
    assert _indeterminate(page)

    boxes.nth(1).check()  # all again, by hand
    expect(select_all).to_be_checked()
    assert not _indeterminate(page)

    select_all.uncheck()
    for n in range(3):
        expect(boxes.nth(n)).not_to_be_checked()
    assert not _indeterminate(page)


def test_select_all_then_a_bulk_resolve_acts_on_every_row_of_the_page(
    page, login, agent, billing, three_mentions, foreign_mention
):
    login(agent)
    page.goto(f"/d/{billing.slug}/")
    _select_all(page).check()
    page.locator("#bulk-action").select_option("resolve")
    page.locator("#bulk-form").get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status").first).to_contain_text("3 mention(s) updated.")
    statuses = set(
        Mention.objects.filter(pk__in=[m.pk for m in three_mentions]).values_list(
            "status", flat=True
        )
    )
    assert statuses == {Status.RESOLVED}
    assert Mention.objects.get(pk=foreign_mention.pk).status == Status.NEW


def test_a_live_refresh_keeps_the_rows_selected_and_select_all_follows(
    page, login, agent, billing, three_mentions, live_socket
):
    login(agent)
    page.goto(f"/d/{billing.slug}/")
    expect(page.locator("#live-status")).to_have_text("live")
    page.wait_for_load_state("networkidle")  # the catch-up refresh after connecting is done
    _select_all(page).check()
    expect(_row_boxes(page)).to_have_count(3)

    arrived = MentionFactory(department=billing, text="A brand new complaint")
    with page.expect_response(lambda r: "partial=1" in r.url):
        live_socket.push("mention.received", department_id=billing.pk, count=1)
    new_row = page.locator(f'#queue-rows tr[data-mention-id="{arrived.pk}"]')
    expect(new_row).to_be_visible()

    for mention in three_mentions:  # the refresh used to uncheck every row it replaced
        expect(_row_boxes(page).and_(page.locator(f'[value="{mention.pk}"]'))).to_be_checked()
    expect(new_row.get_by_role("checkbox")).not_to_be_checked()
    expect(_select_all(page)).not_to_be_checked()
    assert _indeterminate(page)

    _select_all(page).check()
    expect(new_row.get_by_role("checkbox")).to_be_checked()
    assert not _indeterminate(page)


def test_the_r_shortcut_asks_before_sending_and_goes_to_an_empty_reply_box(
    page, login, agent, mention
):
    login(agent)
    page.goto(f"/m/{mention.pk}/")
    box = page.locator("#reply-text")
    question = page.get_by_role("alertdialog")

    page.keyboard.press("r")  # nothing written: "r" is for replying
    expect(box).to_be_focused()
    expect(question).to_have_count(0)
    page.keyboard.type("Sorry, we are on it")  # and the "r" itself was not typed
    expect(box).to_have_value("Sorry, we are on it")

    page.locator("h1").click()  # out of the box, a stray "r"
    page.keyboard.press("r")
    expect(question).to_contain_text("Send this reply?")
    expect(question.get_by_role("button", name="Send")).to_be_focused()
    page.wait_for_timeout(300)  # the old page had sent it by now
    assert not Reply.objects.filter(mention=mention).exists()
    page.keyboard.press("Escape")
    expect(question).to_have_count(0)
    expect(box).to_have_value("Sorry, we are on it")
    assert not Reply.objects.filter(mention=mention).exists()

    page.keyboard.press("r")
    expect(question).to_be_visible()
    page.keyboard.press("r")  # the same key again sends
    expect(page.locator(".composer .replies")).to_contain_text("Sorry, we are on it")
    assert Reply.objects.filter(mention=mention).count() == 1


def test_the_top_bar_fits_a_1024_window_without_squeezing_the_links(
    page, login, admin_user, billing, support
):
    for name in ("Customer care", "Loyalty programme", "Baggage services", "Corporate travel"):
        DepartmentFactory(slug=name.lower().replace(" ", "-"), name=name)
    admin_user.first_name, admin_user.last_name = "Alexandra", "Administrator-Whitfield"
    admin_user.save(update_fields=["first_name", "last_name"])
    page.set_viewport_size({"width": 1024, "height": 800})
    login(admin_user)
    page.goto(f"/d/{billing.slug}/")
    expect(page.get_by_role("navigation", name="Departments")).to_contain_text("Corporate travel")

    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    topbar = page.locator("header.topbar").bounding_box()
    boxes = [
        el.bounding_box()
        for el in page.locator("header.topbar a, header.topbar .live-dot, header.topbar .who").all()
    ]
    boxes.append(page.get_by_role("button", name="Log out").bounding_box())
    for box in boxes:  # everything inside the bar, nothing cut off at the right
        assert box["x"] >= 0 and box["x"] + box["width"] <= topbar["x"] + topbar["width"] + 0.5
    for n, a in enumerate(boxes):  # and nothing drawn over anything else
        for b in boxes[n + 1 :]:
            overlap_x = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, (a, b)
    # the links spread over the window's width: beside the name they stood six rows high
    link_rows = {
        round(box["y"])
        for box in (el.bounding_box() for el in page.locator("header.topbar nav a").all())
    }
    assert len(link_rows) <= 2, sorted(link_rows)


def test_the_bulk_form_counts_the_selection_and_x_selects_the_current_row(
    page, login, agent, billing, three_mentions
):
    login(agent)
    page.goto(f"/d/{billing.slug}/")
    count, apply = page.locator("#bulk-count"), page.locator("#bulk-apply")
    expect(count).to_have_text("None selected")
    expect(apply).to_be_disabled()  # nothing to apply to
    expect(page.locator(".shortcuts")).to_contain_text("x select")

    page.keyboard.press("j")  # the first row
    page.keyboard.press("j")  # the second
    page.keyboard.press("x")
    expect(_row_boxes(page).nth(1)).to_be_checked()
    expect(_row_boxes(page).nth(0)).not_to_be_checked()
    expect(count).to_have_text("1 selected")
    expect(apply).to_be_enabled()

    _select_all(page).check()
    expect(count).to_have_text("3 selected")
    page.keyboard.press("x")  # again: the second row leaves the selection
    expect(_row_boxes(page).nth(1)).not_to_be_checked()
    expect(count).to_have_text("2 selected")
