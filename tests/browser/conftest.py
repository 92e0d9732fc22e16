"""Real headless Chromium against Django's ``live_server``.

* The browser is Debian's ``/usr/bin/chromium`` (no ``playwright install`` here).
* Every test in this folder is marked ``browser`` and served by ``live_server``, so it gets
  ``transactional_db``: the cast fixtures from ``tests/conftest.py`` are visible to the server.
* Every page is watched: a console error, an uncaught exception or a Content-Security-Policy
  violation (``script-src 'self'``: no inline script, no eval) fails the test. A test that
  expects one (a 404 page logs "Failed to load resource") says so with ``page_errors.allow``.
* ``live_server`` is WSGI only, so ``/ws/live/`` cannot connect. Rather than let the failed
  connection log an error, the socket is mocked in the browser: ``app.js`` sees it open and
  shows "live", and what it sends is kept in ``live_socket.sent`` (subscriptions). The
  server's live events are captured in ``live_events`` (``tests/conftest.py``'s ``published``).
"""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.conftest import PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop + Django ORM

HERE = Path(__file__).resolve().parent
# Generous for a loaded CI box, short enough that a broken page fails in seconds, not 30 s.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

# Chromium reports CSP violations on the console, but an explicit listener names the
# directive even if the console wording changes. Init scripts are exempt from the CSP.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _served_before_the_flush(live_server, transactional_db):
    """Set up before the page (so torn down after it closes) and after the database (so
    before its flush): the flush waits for the last request the page made to be served."""
    yield
    live_server.wait_idle(timeout=10)


@pytest.fixture(autouse=True)
def live_events(published):
    """Live events published during the test (from fixtures and from the server thread).

    Captured instead of sent: the in-memory channel layer has no consumer here anyway, and
    ``async_to_sync`` refuses to run in the test thread, where Playwright's loop is running.
    """
    return published


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    """``page.goto("/login/")`` goes to the live server.

    Per test, on top of pytest-playwright's session-wide arguments: those are computed once
    per process, possibly first by a Playwright test in another folder without a base URL.
    Every ``page`` depends on this, so every browser test has ``live_server`` in its closure
    and pytest-django gives it ``transactional_db``.
    """
    return {**browser_context_args, "base_url": live_server.url}


class PageErrors:
    """Console errors, uncaught exceptions and CSP violations seen by one page."""

    def __init__(self):
        self.seen: list[str] = []
        self._allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        """Expect errors matching ``pattern`` (a regex) in this test."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.seen if not any(p.search(e) for p in self._allowed)]


class LiveSocket:
    """The mocked ``/ws/live/`` connection: what the page sent over it."""

    def __init__(self):
        self.sent: list[dict] = []
        self.route: WebSocketRoute | None = None

    def handle(self, ws: WebSocketRoute) -> None:
        # no connect_to_server(): the socket is open for the page, messages come here
        self.route = ws
        ws.on_message(lambda message: self.sent.append(json.loads(message)))

    def push(self, event: str, **payload) -> None:
        """An event to the page, as the server's consumer frames it."""
        assert self.route is not None, "the page has not opened its live socket"
        self.route.send(json.dumps({"type": "event", "event": event, **payload}))


@pytest.fixture
def page_errors():
    return PageErrors()


@pytest.fixture
def live_socket():
    return LiveSocket()


@pytest.fixture
def page(page: Page, page_errors: PageErrors, live_socket: LiveSocket):
    """pytest-playwright's page, watched for errors, with the live socket mocked."""
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    page.add_init_script(_CSP_LISTENER)
    page.route_web_socket(re.compile(r"/ws/live/$"), live_socket.handle)
    # The app has no favicon: Chromium's automatic request would 404 and log an error at a
    # random moment. Answer it here so the console check stays about the pages themselves.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.on(
        "console",
        lambda msg: (
            page_errors.seen.append(f"console {msg.type}: {msg.text} ({msg.location})")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: page_errors.seen.append(f"uncaught: {exc}"))
    yield page
    unexpected = page_errors.unexpected()
    assert not unexpected, "browser errors on the pages visited:\n" + "\n".join(unexpected)


@pytest.fixture
def login(page: Page):
    """Log ``user`` in through the login form; returns the page after the redirect."""

    def _login(user, password: str = PASSWORD) -> Page:
        page.goto("/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("header.topbar")).to_be_visible()
        return page

    return _login
