"""Api-Key header authentication: hashed keys, revocation, expiry, last use, never a URL."""

import pickle
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from api import authentication
from api.models import IntegrationKey
from api.services import integration_key_revoke
from tests.api.conftest import needs_redis

URL = "/api/v1/departments/"


def test_a_valid_key_reads_its_departments(billing_api, billing):
    response = billing_api.get(URL)
    assert response.status_code == 200
    assert [d["slug"] for d in response.json()] == ["billing"]


def test_no_credentials_is_a_401_that_names_the_scheme(api, billing):
    response = api().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_key_in_the_query_string_is_ignored(api, billing_key):
    _, plain = billing_key
    for param in ("api_key", "key", "Authorization"):
        assert api().get(f"{URL}?{param}={plain}").status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_refused(api, billing_key):
    key, plain = billing_key
    response = api(f"{key.prefix}.{'x' * 32}").get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_revoked_key_is_refused(api, billing_key, admin_user):
    key, plain = billing_key
    integration_key_revoke(actor=admin_user, key=key)
    assert api(plain).get(URL).status_code == 401
    assert not IntegrationKey.objects.get(pk=key.pk).user.is_active


def test_an_expired_key_is_refused(api, billing_key):
    key, plain = billing_key
    IntegrationKey.objects.filter(pk=key.pk).update(expiry_date=timezone.now() - timedelta(1))
    response = api(plain).get(URL)
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_last_use_is_recorded_at_most_once_a_minute(api, billing_key, monkeypatch):
    key, plain = billing_key
    client = api(plain)
    client.get(URL)
    first = IntegrationKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    client.get(URL)
    assert IntegrationKey.objects.get(pk=key.pk).last_used_at == first
    later = first + timedelta(minutes=2)
    monkeypatch.setattr(authentication.timezone, "now", lambda: later)
    client.get(URL)
    assert IntegrationKey.objects.get(pk=key.pk).last_used_at == later


def test_a_revoked_key_is_refused_at_once_though_its_record_was_cached(
    api, billing_key, admin_user
):
    key, plain = billing_key
    client = api(plain)
    assert client.get(URL).status_code == 200  # the record is now cached
    assert cache.get(authentication.key_cache_name(key.prefix)) is not None
    integration_key_revoke(actor=admin_user, key=key)
    assert client.get(URL).status_code == 401


def test_a_request_that_read_the_key_before_its_revocation_cannot_cache_it_after(
    api, billing_key, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    """The race: a request reads the key's row (not revoked), the revocation commits and
    drops the cached record, then that request caches the row it read: the revoked key
    worked for another minute. The commit now leaves a marker that keeps it out."""
    key, plain = billing_key
    cache.delete(authentication.key_cache_name(key.prefix))
    _revoked_while_in_flight(
        api(plain), key, admin_user, monkeypatch, django_capture_on_commit_callbacks
    )
    assert api(plain).get(URL).status_code == 401
    assert api(plain).get(URL).status_code == 401


def _revoked_while_in_flight(client, key, admin_user, monkeypatch, capture, seen_marker=False):
    """A request by ``client`` that reads the key from the database, the key being revoked
    (and the revocation committed) after its read and before it caches what it read."""
    real_remember = authentication._remember

    def revoked_meanwhile(read, seen):
        assert (seen or b"").startswith(authentication.CHANGED) is seen_marker
        with capture(execute=True):
            integration_key_revoke(actor=admin_user, key=IntegrationKey.objects.get(pk=key.pk))
        real_remember(read, seen)

    monkeypatch.setattr(authentication, "_remember", revoked_meanwhile)
    assert client.get(URL).status_code == 200  # in flight before the revocation
    monkeypatch.setattr(authentication, "_remember", real_remember)


def test_a_deactivated_service_account_is_refused_at_once(api, billing_key):
    key, plain = billing_key
    client = api(plain)
    assert client.get(URL).status_code == 200
    key.user.is_active = False
    key.user.save()
    assert client.get(URL).status_code == 401


def test_with_the_cache_down_keys_are_read_from_the_database(api, billing_key, monkeypatch):
    key, plain = billing_key

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(authentication.cache, "get", down)
    monkeypatch.setattr(authentication.cache, "set", down)
    assert api(plain).get(URL).status_code == 200


def test_the_key_is_stored_hashed_and_acts_as_its_own_service_account(billing_key, billing):
    key, plain = billing_key
    assert plain.split(".")[1] not in key.hashed_key
    assert key.user.username == f"api-key-{key.prefix}"
    assert not key.user.has_usable_password()
    assert key.user.memberships.count() == 0  # not listed among the department's staff


def test_a_browser_session_works_without_a_key(api, agent, billing):
    client = api()
    client.force_login(agent)
    assert [d["slug"] for d in client.get(URL).json()] == ["billing"]


def test_a_department_taken_from_the_key_on_either_side_is_gone_at_once(
    api, make_key, billing, support
):
    key, plain = make_key(billing, support)
    client = api(plain)
    n = iter(range(100))

    def ingest_into(slug):
        item = {
            "source": "twitter",
            "external_id": f"dep-{next(n)}",
            "author": {"handle": "jo"},
            "text": "hello",
            "department": slug,
        }
        return client.post("/api/v1/mentions/", item, format="json").status_code

    assert ingest_into("support") == 201  # the key's record is now cached
    support.integration_keys.remove(key)  # from the department's side
    assert ingest_into("support") == 404
    key.departments.add(support)
    assert ingest_into("support") == 201
    support.integration_keys.clear()
    assert ingest_into("support") == 404
    assert ingest_into("billing") == 201


def test_a_cached_key_is_decoded_once_per_process_and_each_request_gets_its_own_copy(
    billing_key, monkeypatch
):
    key, plain = billing_key
    authentication._decoded.clear()
    decoded = []
    real_loads = authentication.pickle.loads

    def loads(data):
        value = real_loads(data)
        if isinstance(value, IntegrationKey):  # not the cache's own envelope
            decoded.append(value)
        return value

    monkeypatch.setattr(authentication.pickle, "loads", loads)
    request = RequestFactory().get(URL, HTTP_AUTHORIZATION=f"Api-Key {plain}")
    auth = authentication.ApiKeyAuthentication()
    first_user, first_key = auth.authenticate(request)  # from the database, then cached
    second_user, second_key = auth.authenticate(request)  # decoded from the cache
    third_user, third_key = auth.authenticate(request)  # the same bytes: not decoded again
    assert len(decoded) == 1
    assert first_key.pk == second_key.pk == third_key.pk == key.pk
    assert second_key is not third_key and second_user is not third_user
    second_user.memo = "this request's"  # what a request keeps on its user stays its own
    assert not hasattr(third_user, "memo")
    assert [d.slug for d in third_key.departments.all()] == ["billing"]


def test_a_changed_cached_record_is_decoded_anew(api, billing_key, admin_user):
    key, plain = billing_key
    client = api(plain)
    assert client.get(URL).status_code == 200
    assert client.get(URL).status_code == 200  # the record decoded and remembered
    changed = IntegrationKey.objects.select_related("user").get(pk=key.pk)
    changed.user.is_active = False  # the shared record changes under the process's memory
    cache.set(authentication.key_cache_name(key.prefix), pickle.dumps(changed), 60)
    assert client.get(URL).status_code == 401


@pytest.fixture
def locmem_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "k"}
    }


def _cached(key):
    return cache.get(authentication.key_cache_name(key.prefix))


def _change(key, capture, name="Listening tool (renamed)"):
    """A committed change to the key (the commit leaves a marker)."""
    with capture(execute=True):
        key.name = name
        key.save()
    assert _cached(key).startswith(authentication.CHANGED)


@needs_redis
def test_on_redis_the_first_request_after_a_change_caches_the_key_again(
    redis_cache, api, billing_key, django_capture_on_commit_callbacks
):
    """A change's marker used to keep the key out of the cache for 10 s, every request reading
    it from the database meanwhile: the first 10 s of a newly made key, or of one edited
    during a crisis, cost two queries a request. The next request now caches it over the
    marker."""
    key, plain = billing_key
    client = api(plain)
    assert client.get(URL).status_code == 200
    _change(key, django_capture_on_commit_callbacks)
    assert client.get(URL).status_code == 200
    record = _cached(key)
    assert not record.startswith(authentication.CHANGED)
    cached = pickle.loads(record)  # noqa: S301 - written by the code under test
    assert cached.name == "Listening tool (renamed)"
    assert [d.slug for d in cached.departments.all()] == ["billing"]


@needs_redis
def test_on_redis_a_request_that_read_the_key_before_a_later_change_cannot_cache_it(
    redis_cache, api, billing_key, admin_user, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """The race again, over an earlier change's marker: the revocation's own marker stays."""
    key, plain = billing_key
    _change(key, django_capture_on_commit_callbacks)
    _revoked_while_in_flight(
        api(plain), key, admin_user, monkeypatch, django_capture_on_commit_callbacks,
        seen_marker=True,
    )  # fmt: skip
    assert _cached(key).startswith(authentication.CHANGED)
    assert api(plain).get(URL).status_code == 401
    assert api(plain).get(URL).status_code == 401


def test_without_redis_a_changed_key_waits_for_its_marker_to_expire(
    locmem_cache, api, billing_key, django_capture_on_commit_callbacks
):
    """A cache that cannot compare and swap keeps the marker: requests read the database."""
    key, plain = billing_key
    _change(key, django_capture_on_commit_callbacks)
    for _ in range(2):
        assert api(plain).get(URL).status_code == 200
        assert _cached(key).startswith(authentication.CHANGED)
