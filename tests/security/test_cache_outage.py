"""The authorisation matrix again, with the shared cache (Redis) down: every page and API
route still answers every role exactly as it does with the cache up (no 500: the queue's
counts, the API key's record, throttles, presence and the triage configuration's generation
fall back to the database or do without), and still leaks nothing."""

import socket

import pytest

from tests.security.test_authorization_matrix import CASES, ROUTES, _problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }
    # what production uses the cache for, which the other tests turn off (tests/conftest.py)
    settings.QUEUE_COUNTS_SECONDS = 10
    settings.TRIAGE_COALESCE = True
    settings.TRIAGE_CONFIG_SECONDS = 60


@pytest.mark.parametrize("route", ROUTES)
def test_every_route_answers_as_usual_with_the_cache_down(world, cache_down, route):
    problems = [p for case in CASES[route] for p in _problems(world, route, case)]
    assert not problems, "\n".join(problems)
