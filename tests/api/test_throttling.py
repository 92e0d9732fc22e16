"""Per-key limits counted in the shared cache: 429 with Retry-After, other keys unaffected."""

import pytest


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
