"""``core.shared``: one request makes what many ask for; the others wait, or get the last one."""

import threading
import time
import uuid

import pytest

from core import shared


@pytest.fixture
def own_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"shared-{uuid.uuid4().hex}",
        }
    }


def test_with_nothing_to_show_the_others_wait_for_the_one_making_it(own_cache):
    made, started = [], threading.Event()

    def make():
        made.append(1)
        started.set()
        time.sleep(0.3)
        return "rows"

    answers = []
    first = threading.Thread(target=lambda: answers.append(shared.shared("k", make, fresh_for=2)))
    first.start()
    started.wait(5)
    answers.append(shared.shared("k", make, fresh_for=2))  # arrives while the first makes it
    first.join()
    assert made == [1]
    assert answers == [("rows", False), ("rows", False)]


def test_one_that_waited_in_vain_makes_its_own(own_cache, monkeypatch):
    monkeypatch.setattr(shared, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(shared, "_claim", lambda key: False)  # a claim nobody fulfils
    assert shared.shared("k", lambda: "mine", fresh_for=2) == ("mine", False)


def test_a_failed_making_leaves_no_claim(own_cache):
    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        shared.shared("k", broken, fresh_for=2)
    assert shared.shared("k", lambda: "next", fresh_for=2) == ("next", False)


def test_with_the_cache_down_each_makes_its_own(own_cache, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "add", "set", "delete"):
        monkeypatch.setattr(LocMemCache, name, down)
    made = []
    for _ in range(3):
        assert shared.shared("k", lambda: made.append(1) or len(made), fresh_for=2)[1] is False
    assert made == [1, 1, 1]


def test_an_answer_too_old_to_show_is_waited_for(own_cache, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(shared, "_clock", lambda: now[0])
    assert shared.shared("k", lambda: "old", fresh_for=2, stale_for=10) == ("old", False)
    now[0] += 11  # beyond stale_for: not shown even while another makes the next
    monkeypatch.setattr(shared, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(shared, "_claim", lambda key: False)
    assert shared.shared("k", lambda: "new", fresh_for=2, stale_for=10) == ("new", False)


@pytest.fixture
def remaking(own_cache, monkeypatch):
    """An answer "old" made 3 s ago (2 s fresh), and another request now making "new" until
    the test releases it; yields the release event."""
    now = [1000.0]
    monkeypatch.setattr(shared, "_clock", lambda: now[0])
    assert shared.shared("k", lambda: "old", fresh_for=2) == ("old", False)
    now[0] += 3
    started, release = threading.Event(), threading.Event()

    def make():
        started.set()
        release.wait(5)
        return "new"

    maker = threading.Thread(target=shared.shared, args=("k", make), kwargs={"fresh_for": 2})
    maker.start()
    started.wait(5)
    yield release
    release.set()
    maker.join()


def test_with_an_older_answer_the_others_wait_a_moment_for_the_new_one(remaking):
    threading.Timer(0.05, remaking.set).start()  # made well within the brief wait
    assert shared.shared("k", lambda: "mine", fresh_for=2) == ("new", False)


def test_a_slow_making_gives_the_others_the_older_answer_marked_stale(remaking):
    assert shared.shared("k", lambda: "mine", fresh_for=2) == ("old", True)
