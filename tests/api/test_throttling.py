"""Per-key limits counted in the shared cache: 429 with Retry-After, other keys unaffected."""

import pytest
import redis

from api.services import integration_key_revoke
from tests.api.conftest import needs_redis


@pytest.fixture
def three_per_minute(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"integration_key": "3/min"},
    }


def test_a_key_over_its_limit_gets_429_with_retry_after(three_per_minute, billing_key, api):
    client = api(billing_key[1])
    assert [client.get("/api/v1/departments/").status_code for _ in range(3)] == [200] * 3
    response = client.get("/api/v1/departments/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"


def test_the_limit_is_per_key(three_per_minute, make_key, api, billing):
    _, first = make_key(billing)
    _, second = make_key(billing, name="Another tool")
    for _ in range(4):
        api(first).get("/api/v1/departments/")
    assert api(second).get("/api/v1/departments/").status_code == 200


def test_the_count_lives_in_the_shared_cache(three_per_minute, billing_key, api):
    from django.core.cache import cache

    api(billing_key[1]).get("/api/v1/departments/")
    keys = [k for k in cache._cache if f"api-throttle:key:{billing_key[0].prefix}" in k]  # noqa: SLF001
    assert len(keys) == 1


@pytest.fixture
def redis_three_per_minute(redis_cache, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"integration_key": "3/min"},
    }


@pytest.fixture
def redis_commands(monkeypatch):
    """The names of the Redis commands sent while the test runs."""
    sent = []
    original = redis.Redis.execute_command

    def execute_command(self, *args, **options):
        sent.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", execute_command)
    return sent


@needs_redis
def test_on_redis_a_key_is_read_and_counted_in_one_command(
    redis_three_per_minute, billing_key, api, redis_commands
):
    client = api(billing_key[1])
    assert client.get("/api/v1/departments/").status_code == 200  # the record cached
    redis_commands.clear()
    assert client.get("/api/v1/departments/").status_code == 200
    assert redis_commands == ["EVALSHA"]
    assert client.get("/api/v1/departments/").status_code == 200
    response = client.get("/api/v1/departments/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


@needs_redis
def test_on_redis_a_revoked_key_is_refused_at_once_and_other_keys_keep_their_count(
    redis_three_per_minute, make_key, api, billing, admin_user
):
    first_key, first = make_key(billing)
    _, second = make_key(billing, name="Another tool")
    assert api(first).get("/api/v1/departments/").status_code == 200
    assert api(second).get("/api/v1/departments/").status_code == 200
    integration_key_revoke(actor=admin_user, key=first_key)
    assert api(first).get("/api/v1/departments/").status_code == 401
    assert [api(second).get("/api/v1/departments/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


@needs_redis
def test_a_view_without_limits_is_not_counted(redis_three_per_minute, billing_key, api):
    client = api(billing_key[1])
    for _ in range(4):
        assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/v1/departments/").status_code == 200


def test_the_count_of_a_request_made_with_a_key_is_taken_once(three_per_minute, billing_key, api):
    """Counted while the key is read, not again by the throttle: three requests pass."""
    client = api(billing_key[1])
    assert [client.get("/api/v1/departments/").status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]


def _wrong_secrets_do_not_use_up_the_limit(billing_key, api):
    key, plain = billing_key
    client = api(plain)
    assert client.get("/api/v1/departments/").status_code == 200  # the key's record cached
    impostor = api(f"{key.prefix}.{'x' * 32}")
    assert [impostor.get("/api/v1/departments/").status_code for _ in range(5)] == [401] * 5
    assert [client.get("/api/v1/departments/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_wrong_secret_with_a_real_prefix_does_not_use_up_the_keys_limit(
    three_per_minute, billing_key, api
):
    _wrong_secrets_do_not_use_up_the_limit(billing_key, api)


@needs_redis
def test_on_redis_a_wrong_secret_does_not_use_up_the_keys_limit(
    redis_three_per_minute, billing_key, api
):
    _wrong_secrets_do_not_use_up_the_limit(billing_key, api)


@needs_redis
def test_on_redis_a_made_up_prefix_leaves_no_counter(redis_three_per_minute, api, billing):
    from django.core.cache import caches

    backend = caches["default"]
    for _ in range(3):
        assert api("madeup.secret").get("/api/v1/departments/").status_code == 401
    client = backend._cache.get_client(write=True)  # noqa: SLF001
    assert not client.keys(backend.make_and_validate_key("api-throttle:*"))
