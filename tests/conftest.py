"""A fixed cast: two departments and the people around them.

billing: ``agent`` (agent), ``lead`` (lead); support: ``other_agent``; ``comms`` (central
communications, no membership); ``admin`` (administrator); ``outsider`` (no role anywhere).
"""

import asyncio
import os
from pathlib import Path

import pytest

from config.celery import app as celery_app
from tests.factories import DepartmentFactory, MentionFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop + live_server
celery_app.conf.task_always_eager = True  # logic tests; the worker test starts a real worker

PASSWORD = "correct-horse-battery"
CHROMIUM = "/usr/bin/chromium"


@pytest.hookimpl(trylast=True)  # after the folders' hooks have marked their browser tests
def pytest_collection_modifyitems(config, items):
    """Browser tests are skipped where Debian's Chromium is not installed, unless
    ``FIREBREAK_REQUIRE_BROWSER=1`` (CI), where a missing browser is a failure."""
    if Path(CHROMIUM).exists() or os.environ.get("FIREBREAK_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _asyncio_test_isolation(request):
    """Each asyncio test runs on a loop of its own; a server process has one loop for its
    life. Two things must not cross from one test's loop to the next:

    - Playwright's sync API keeps its event loop marked as running in the process after its
      first test (the loop waits in a greenlet), and an asyncio test cannot start a loop of
      its own then: clear the mark, and put it back for the next browser test;
    - the channel layer (channels-redis keeps receive locks and buffers bound to the loop that
      first received): a fresh one per test."""
    if request.node.get_closest_marker("asyncio") is None:
        yield
        return
    from channels.layers import channel_layers

    left = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    channel_layers.backends.clear()
    try:
        yield
    finally:
        channel_layers.backends.clear()
        asyncio._set_running_loop(left)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium for every Playwright test (the browser is shared per process, so one
    definition here rather than one per folder: the first test to launch it would win)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, serving one request at a time on in-memory SQLite, and
    telling when no request is being served (``wait_idle``).

    There its request threads share the test's one SQLite connection; a page whose panels
    load in parallel (the incident page) then ran two queries on it at once and could hang
    the test run. Connections stay threaded (keep-alive, static files); only the application
    call is serialised. On PostgreSQL every thread has its own connection: nothing changes.

    On PostgreSQL a request still being served when a test ends (a page's last live refresh)
    held its tables while the test's flush (``TRUNCATE``) waited for them: a deadlock, and the
    test failed at teardown. ``tests/browser/conftest.py`` waits for ``wait_idle`` first.
    """
    import threading

    from django.test.testcases import ThreadedWSGIServer
    from pytest_django.live_server_helper import LiveServer

    serving = threading.Condition()
    in_flight = [0]

    class Counted(ThreadedWSGIServer):
        serialise = False

        def set_app(self, application):
            lock = threading.Lock()

            def call(environ, start_response):
                with serving:
                    in_flight[0] += 1
                try:
                    if self.serialise:
                        with lock:
                            return application(environ, start_response)
                    return application(environ, start_response)
                finally:
                    with serving:
                        in_flight[0] -= 1
                        serving.notify_all()

            super().set_app(call)

    class OneCallAtATime(Counted):
        serialise = True

    def wait_idle(timeout: float = 10.0) -> bool:
        with serving:
            return serving.wait_for(lambda: in_flight[0] == 0, timeout=timeout)

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.server_class = OneCallAtATime if server.thread.connections_override else Counted
    server.wait_idle = wait_idle
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # counts fresh on every page (the cache outlives a test); tests of the cache turn it on
    settings.QUEUE_COUNTS_SECONDS = 0
    settings.INCIDENT_STATS_SECONDS = 0  # and an incident's figures (tests/incidents turn it on)
    settings.QUEUE_ROWS_SECONDS = 0  # and a queue's live rows (tests/spokes/test_live_rows.py)
    # eager tasks: a backlog drain would also triage the untriaged mentions a test made with
    # factories; tests of the coalesced path (tests/triage/test_triage_coalesced.py) turn it on
    settings.TRIAGE_COALESCE = False
    # the hub's configuration read afresh by every triage batch: the database is rolled back
    # after each test, the shared cache's generation is not (tests/triage/test_triage_config.py
    # turn the per-process reading on)
    settings.TRIAGE_CONFIG_SECONDS = 0


@pytest.fixture
def billing(db):
    return DepartmentFactory(slug="billing", name="Billing")


@pytest.fixture
def support(db):
    return DepartmentFactory(slug="support", name="Support")


def _member(username, department, role, **extra):
    from spokes.services import membership_set

    user = UserFactory(username=username, **extra)
    membership_set(actor=None, user=user, department=department, role=role)
    return user


@pytest.fixture
def agent(billing):
    return _member("agent", billing, "agent", first_name="Ava", last_name="Agent")


@pytest.fixture
def lead(billing):
    return _member("lead", billing, "lead", first_name="Leo", last_name="Lead")


@pytest.fixture
def other_agent(support):
    return _member("other_agent", support, "agent")


@pytest.fixture
def other_lead(support):
    return _member("other_lead", support, "lead")


@pytest.fixture
def comms(db):
    return UserFactory(username="comms", org_role="comms")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", org_role="admin")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def mention(billing):
    return MentionFactory(department=billing)


@pytest.fixture
def foreign_mention(support):
    return MentionFactory(department=support)


@pytest.fixture
def published(monkeypatch):
    """Capture live events instead of sending them; returns the list of (event, payload)."""
    events = []
    import core.events

    def capture(groups, message):
        if message["type"] != "live.event":
            return  # "access.changed" closes sockets: tests/security/test_websocket_access_loss
        events.append((message["event"], message["payload"], list(groups)))

    monkeypatch.setattr(core.events, "_send", capture)
    return events
