"""Two Chromium pages (central comms and an agent) on one incident, served by a real ASGI
server: a fact added on one page appears on the other without a reload.

Django's ``live_server`` is WSGI only, so this test prepares its own SQLite file database and
runs uvicorn (one process, in-memory channel layer) against it.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.incidents.asgi_servers import ROOT, uvicorn_servers

TIMEOUT_MS = 10_000

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    """A fresh file database, seeded, and one uvicorn serving it."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FIREBREAK_DATA_DIR": str(tmp_path),
        "REDIS_URL": "",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    full_env = {**os.environ, **env}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0", "--skip-checks"],
        cwd=ROOT,
        env=full_env,
        check=True,
    )
    seeded = subprocess.run(
        [sys.executable, "-m", "tests.incidents.browser_seed"],
        cwd=ROOT,
        env=full_env,
        check=True,
        capture_output=True,
        text=True,
    )
    incident_id = json.loads(seeded.stdout.strip().splitlines()[-1])["incident_id"]
    with uvicorn_servers(1, env, tmp_path) as (url,):
        yield url, incident_id


def _open_as(browser, base_url, username, errors):
    context = browser.new_context(base_url=base_url)
    # the app has no favicon: Chromium's automatic request would log a 404 at a random moment
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on(
        "console", lambda m: errors.append(f"{username}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    page.on(
        "response",
        lambda r: errors.append(f"{username}: {r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header.topbar")).to_be_visible()
    return context, page


def test_a_fact_added_by_comms_appears_on_the_agents_page_without_reload(browser, server):
    base_url, incident_id = server
    errors: list[str] = []
    comms_context, comms = _open_as(browser, base_url, "comms", errors)
    agent_context, agent = _open_as(browser, base_url, "agent", errors)
    try:
        for page in (comms, agent):
            page.goto(f"/incidents/{incident_id}/")
            expect(page.locator("#live-status")).to_have_class(re.compile(r"\bon\b"))
        # both sockets are subscribed once each page lists the other person as viewing
        expect(agent.locator("#presence")).to_contain_text("Hana Comms")
        expect(comms.locator("#presence")).to_contain_text("Ava Agent")
        agent.evaluate("window.__sameDocument = true")

        comms.locator("#fact-text").fill("Payment provider confirms an outage since 09:12")
        comms.locator("#fact-source").fill("PSP status page")
        comms.get_by_role("button", name="Add fact").click()

        expect(agent.locator("#panel-facts")).to_contain_text(
            "Payment provider confirms an outage since 09:12"
        )
        expect(agent.locator("#panel-facts")).to_contain_text("PSP status page")
        assert agent.evaluate("window.__sameDocument === true"), "the agent's page reloaded"
        expect(comms.locator("#fact-text")).to_have_value("")  # the form was cleared
        assert not errors, errors
    finally:
        comms_context.close()
        agent_context.close()
