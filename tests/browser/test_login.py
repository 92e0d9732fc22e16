import re

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def test_login_page_renders(page: Page):
    response = page.goto("/login/")

    assert response is not None and response.status == 200
    expect(page).to_have_title(re.compile(r"Log in"))
    expect(page.locator("#id_username")).to_be_focused()
    expect(page.locator("#id_password")).to_have_attribute("type", "password")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.locator("#live-status")).to_have_count(0)  # anonymous: no header


def test_anonymous_is_sent_to_login(page: Page):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


def test_wrong_password_shows_the_error(page: Page, agent):
    page.goto("/login/")
    page.locator("#id_username").fill(agent.username)
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("didn't match")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("header.topbar")).to_have_count(0)


def test_right_password_lands_on_the_department_queue(page: Page, agent, live_socket):
    page.goto("/login/")
    page.locator("#id_username").fill(agent.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/d/billing/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Billing")
    expect(page.locator("header .who")).to_contain_text("Ava Agent")
    # app.js ran under script-src 'self' and subscribed to this queue's live updates
    expect(page.locator("#live-status")).to_have_text("live")
    assert {"action": "subscribe", "kind": "department", "key": "billing"} in live_socket.sent
