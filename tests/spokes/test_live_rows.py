"""A queue's live refresh: its rows made once for everyone who would see the same ones.

Every agent watching a department fetches the rows again after the live events, all of them
at the same moment; the rows are now made once per ``QUEUE_ROWS_SECONDS`` for each set of
viewers that would see the same ones (department, filters and page, what the viewer may do,
the viewer only where a filter names them), and never shown to anyone who may not see them.
"""

import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import shared
from spokes.models import Status
from spokes.services import membership_set
from tests.factories import MentionFactory, UserFactory


@pytest.fixture
def clock(settings, monkeypatch):
    """Rows shared for 2 s, in a cache of this test's own, on a clock the test moves."""
    settings.QUEUE_ROWS_SECONDS = 2
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"live-rows-{uuid.uuid4().hex}",
        }
    }
    now = [1_000_000.0]
    monkeypatch.setattr(shared, "_clock", lambda: now[0])
    return now


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _refresh(client, slug="billing", query=""):
    url = reverse("spokes:queue", args=[slug]) + "?" + (f"{query}&" if query else "") + "partial=1"
    return client.get(url, HTTP_HX_REQUEST="true")


def _ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-mention-id="(\d+)"', response.content.decode())]


@pytest.fixture
def second_agent(billing):
    user = UserFactory(username="second_agent")
    membership_set(actor=None, user=user, department=billing, role="agent")
    return user


def test_agents_watching_a_queue_share_its_rows_for_two_seconds(
    clock, agent, second_agent, billing
):
    first = MentionFactory.create_batch(3, department=billing)
    shown = _refresh(_client(agent))
    assert sorted(_ids(shown)) == sorted(m.pk for m in first)
    newer = MentionFactory(department=billing)
    with CaptureQueriesContext(connection) as queries:
        again = _refresh(_client(second_agent))
    assert again.status_code == 200
    assert again.content == shown.content  # made once, for both
    assert not [q for q in queries.captured_queries if "spokes_mention" in q["sql"]]
    clock[0] += 2.5
    assert newer.pk in _ids(_refresh(_client(second_agent)))


def test_an_older_answer_is_marked_stale_while_another_request_makes_the_next(
    clock, agent, billing, monkeypatch
):
    kept = MentionFactory(department=billing)
    assert _ids(_refresh(_client(agent))) == [kept.pk]
    newer = MentionFactory(department=billing)
    clock[0] += 3
    monkeypatch.setattr(shared, "_claim", lambda key: False)  # someone else is making them
    stale = _refresh(_client(agent))
    assert _ids(stale) == [kept.pk]
    assert stale["X-Firebreak-Stale"] == "1"
    monkeypatch.undo()
    monkeypatch.setattr(shared, "_clock", lambda: clock[0])
    fresh = _refresh(_client(agent))
    assert sorted(_ids(fresh)) == sorted([kept.pk, newer.pk])
    assert "X-Firebreak-Stale" not in fresh


def test_viewers_who_may_not_work_the_queue_get_rows_without_the_selection(
    clock, agent, comms, billing
):
    MentionFactory(department=billing)
    assert 'name="ids"' in _refresh(_client(agent)).content.decode()
    watched = _refresh(_client(comms))
    assert watched.status_code == 200
    assert _ids(watched) and 'name="ids"' not in watched.content.decode()


def test_assignee_me_shows_each_viewer_their_own(clock, agent, second_agent, billing):
    mine = MentionFactory(department=billing, assignee=agent)
    theirs = MentionFactory(department=billing, assignee=second_agent)
    assert _ids(_refresh(_client(agent), query="assignee=me")) == [mine.pk]
    assert _ids(_refresh(_client(second_agent), query="assignee=me")) == [theirs.pk]


def test_filters_are_kept_apart(clock, agent, billing):
    open_one = MentionFactory(department=billing)
    resolved = MentionFactory(department=billing, status=Status.RESOLVED)
    assert _ids(_refresh(_client(agent))) == [open_one.pk]
    everything = _ids(_refresh(_client(agent), query="status=all"))
    assert sorted(everything) == sorted([open_one.pk, resolved.pk])


def test_another_departments_agent_gets_404_even_with_the_rows_made(
    clock, agent, other_agent, billing
):
    MentionFactory(department=billing)
    assert _refresh(_client(agent)).status_code == 200  # the rows are kept
    assert _refresh(_client(other_agent)).status_code == 404


def test_a_full_page_is_never_the_shared_rows(clock, agent, billing):
    MentionFactory(department=billing)
    _refresh(_client(agent))
    newer = MentionFactory(department=billing)
    page = _client(agent).get(reverse("spokes:queue", args=["billing"]))
    assert newer.pk in _ids(page)  # what a person opens is read when they open it


def test_shared_rows_hold_nothing_of_one_viewers_own(clock, agent, billing):
    """What is shared must not carry a person's own secrets: no CSRF token, no session."""
    MentionFactory(department=billing)
    client = _client(agent)
    html = _refresh(client).content.decode()
    assert "csrfmiddlewaretoken" not in html and "csrf" not in html.lower()
    assert client.session.session_key not in html
