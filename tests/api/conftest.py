"""API cast: keys on billing with each scope set; a client that sends ``Api-Key`` headers."""

import os
import uuid

import pytest
from rest_framework.test import APIClient

from api.services import integration_key_create


@pytest.fixture
def make_key(db):
    def make(*departments, scopes=("read", "write"), name="Listening tool"):
        key, plain = integration_key_create(
            actor=None, name=name, departments=list(departments), scopes=list(scopes)
        )
        return key, plain

    return make


@pytest.fixture
def billing_key(make_key, billing):
    return make_key(billing)


@pytest.fixture
def api():
    """``api(plain_key)`` -> a client authenticated with that key (None: anonymous)."""

    def client(plain=None):
        c = APIClient()
        if plain:
            c.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
        return c

    return client


@pytest.fixture
def billing_api(api, billing_key):
    return api(billing_key[1])


@pytest.fixture
def read_api(api, make_key, billing):
    """A read-only key on billing."""
    return api(make_key(billing, scopes=("read",), name="Dashboard")[1])


@pytest.fixture
def comms_api(api, comms):
    """Central comms through session authentication."""
    client = api()
    client.force_authenticate(comms)
    return client


needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run under scripts/with-services.sh)"
)


@pytest.fixture
def redis_cache(settings):
    """The default cache on the Redis of ``REDIS_URL``, under a key prefix of the test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"test-api-{uuid.uuid4().hex}",
        }
    }
