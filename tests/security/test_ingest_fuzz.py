"""Whatever arrives at POST /api/v1/mentions/: a clear 4xx or a 2xx, never a 5xx, nothing
half-written.

Hypothesis generates arbitrary JSON documents, mention-shaped items whose every field may be of
the wrong type or hold hostile unicode (lone surrogates, NUL, bidi controls, huge numbers), and
batches mixing good and bad items. Fixed cases cover oversized batches, invalid UTF-8, texts over
the limit, bodies over the upload limit and deeply nested JSON.

Each request runs in a savepoint rolled back afterwards, so every example meets an empty
database: a refused request must leave it empty, and an accepted one must hold exactly the
mentions it reports as created.
"""

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from spokes.models import Author, Mention

pytestmark = pytest.mark.django_db
URL = "/api/v1/mentions/"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def api(billing, support, admin_user):
    from api.services import integration_key_create

    _, plain = integration_key_create(
        actor=admin_user, name="Fuzzer", departments=[billing], scopes=["read", "write"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


def _post(client, body: bytes, content_type="application/json"):
    """(status, parsed JSON or None, mentions created, authors created), all rolled back."""
    with transaction.atomic():
        mentions, authors = Mention.objects.count(), Author.objects.count()
        response = client.generic("POST", URL, body, content_type=content_type)
        created = Mention.objects.count() - mentions, Author.objects.count() - authors
        transaction.set_rollback(True)
    try:
        payload = response.json()
    except ValueError:
        payload = None
    return response.status_code, payload, *created


def _assert_sound(status, payload, mentions, authors, *, items=None):
    """The contract: 2xx or 4xx; a 4xx writes nothing; a 2xx writes what it reports."""
    assert status < 500, (status, payload)
    if status >= 400:
        assert (mentions, authors) == (0, 0), (status, payload)
        return
    assert payload is not None
    if status in (200, 201) and "results" not in payload:  # one mention
        assert mentions == (1 if status == 201 else 0)
        return
    assert payload["created"] == mentions
    assert payload["created"] + payload["existing"] + payload["invalid"] == len(items)
    assert [r["index"] for r in payload["results"]] == list(range(len(items)))
    assert (status == 207) == (payload["invalid"] > 0)


# --- strategies --------------------------------------------------------------------------------
hostile_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()),  # surrogates, NUL, controls
    max_size=60,
) | st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "\u200b", "", " ", "{{x}}", "%s"])
json_scalar = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_text
)
any_json = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=12,
)


def maybe(valid):
    """A valid value most of the time, anything else sometimes."""
    return st.one_of(valid, valid, any_json)


author = st.fixed_dictionaries(
    {"handle": maybe(st.text(min_size=1, max_size=20))},
    optional={
        "display_name": maybe(st.text(max_size=30)),
        "followers": maybe(st.integers(min_value=0, max_value=10**6)),
        "url": maybe(st.sampled_from(["https://x.com/jo", "javascript:alert(1)", ""])),
    },
)
mention_item = st.fixed_dictionaries(
    {
        "source": maybe(st.sampled_from(["twitter", "facebook", "instagram"])),
        "external_id": maybe(st.text(min_size=1, max_size=12)),
        "author": maybe(author),
        "text": maybe(st.text(max_size=80)),
    },
    optional={
        "url": maybe(st.sampled_from(["https://x.com/jo/1", "data:text/html,x", "//x"])),
        "posted_at": maybe(st.sampled_from(["2026-11-25T09:12:00Z", "9999-12-31", "yesterday"])),
        "parent_external_id": maybe(st.text(max_size=12)),
        "language": maybe(st.sampled_from(["en", "nl", "x" * 9])),
        "department": maybe(st.sampled_from(["billing", "support", "nowhere", ""])),
    },
)


def _encode(document) -> bytes:
    # ensure_ascii keeps lone surrogates encodable: they arrive as \ud800 escapes
    return json.dumps(document, ensure_ascii=True, allow_nan=True).encode()


# --- fuzz --------------------------------------------------------------------------------------
@FUZZ
@given(document=any_json)
def test_any_json_document_is_answered_without_a_server_error(api, document):
    status, payload, mentions, authors = _post(api, _encode(document))
    items = document if isinstance(document, list) else None
    _assert_sound(status, payload, mentions, authors, items=items)


@FUZZ
@given(item=mention_item)
def test_any_single_mention_is_stored_whole_or_refused_naming_a_field(api, item):
    status, payload, mentions, authors = _post(api, _encode(item))
    _assert_sound(status, payload, mentions, authors)
    if status == 400:
        assert payload["error"]["fields"], payload


@FUZZ
@given(items=st.lists(mention_item, min_size=1, max_size=8))
def test_any_batch_stores_its_valid_items_and_reports_the_rest(api, items):
    status, payload, mentions, authors = _post(api, _encode(items))
    _assert_sound(status, payload, mentions, authors, items=items)
    if status in (200, 207):
        for result in payload["results"]:
            assert (result["status"] == "invalid") == bool(result["errors"])


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_are_answered_without_a_server_error(api, raw):
    status, payload, mentions, authors = _post(api, raw)
    assert status < 500, (status, payload)
    if status >= 400:
        assert (mentions, authors) == (0, 0)


# --- fixed hostile inputs ------------------------------------------------------------------------
def _item(external_id="fz-1", **extra):
    return {
        "source": "twitter",
        "external_id": external_id,
        "author": {"handle": "jo"},
        "text": "Refund please",
        "department": "billing",
        **extra,
    }


def test_a_batch_over_a_thousand_is_refused_whole(api):
    batch = [_item(f"fz-{i}") for i in range(1001)]
    status, payload, mentions, authors = _post(api, _encode(batch))
    assert status == 400 and payload["error"]["fields"] == {"body": [payload["error"]["message"]]}
    assert (mentions, authors) == (0, 0)


def test_a_batch_of_exactly_a_thousand_is_stored(api):
    batch = [_item(f"fz-{i}") for i in range(1000)]
    status, payload, mentions, _ = _post(api, _encode(batch))
    assert status == 200 and payload["created"] == mentions == 1000


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"source": "twitter", "text": "\xff\xfe"}', "application/json"),
        (b"\xc3\x28\xa0\xa1", "application/json"),
        (b'{"source": NaN}', "application/json"),
        (b'{"source": Infinity}', "application/json"),
        (b"", "application/json"),
        (b"null", "application/json"),
        (b"[]", "application/json"),
        (b"1e999999", "application/json"),
        (b'"just a string"', "application/json"),
        (b"source=twitter&text=hi", "application/x-www-form-urlencoded"),
        (b"<mention/>", "application/xml"),
        (_encode(_item()), "text/plain"),
    ],
    ids=[
        "invalid-utf8-in-string",
        "invalid-utf8",
        "nan",
        "infinity",
        "empty",
        "null",
        "empty-batch",
        "huge-number",
        "string",
        "form",
        "xml",
        "text-plain",
    ],
)
def test_malformed_bodies_are_a_clear_4xx(api, body, content_type):
    status, payload, mentions, authors = _post(api, body, content_type)
    assert 400 <= status < 500 and (mentions, authors) == (0, 0)
    assert payload["error"]["message"], payload


def test_a_text_over_the_limit_is_refused_naming_the_field(api):
    status, payload, mentions, _ = _post(api, _encode(_item(text="x" * 20_001)))
    assert status == 400 and "text" in payload["error"]["fields"] and mentions == 0


def test_a_body_over_the_upload_limit_is_refused(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    status, payload, mentions, authors = _post(api, _encode(_item(text="x" * 1_200_000)))
    assert status == 413 and (mentions, authors) == (0, 0)
    assert payload["error"]["code"] == "too_large", payload


def test_hostile_unicode_is_refused_or_stored_intact(api):
    for index, text in enumerate(["\ud800", "a\x00b", "\u202eevil\u202c", "\u200b", "\U0001f525"]):
        status, payload, mentions, _ = _post(api, _encode(_item(f"u-{index}", text=text)))
        assert status in (201, 400), (text, status)
        if status == 201:
            assert payload["text"] == text and mentions == 1
        else:
            assert "text" in payload["error"]["fields"] and mentions == 0


@pytest.mark.parametrize("batch", [False, True], ids=["one", "batch"])
def test_a_lone_surrogate_echoed_in_an_error_is_a_clear_4xx(api, batch):
    item = _item(source="\ud800")
    status, payload, mentions, _ = _post(api, _encode([item] if batch else item))
    assert status in (207, 400) and mentions == 0
    fields = payload["error"]["fields"] if not batch else payload["results"][0]["errors"]
    assert "source" in fields, payload


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_deeply_nested_json_is_a_clear_4xx(api, opener):
    closer = b"]" if opener == b"[" else b"}"
    depth = 100_000
    body = opener * depth + b"1" + closer * depth
    status, payload, mentions, authors = _post(api, body)
    assert status == 400 and (mentions, authors) == (0, 0)
    assert "nested too deeply" in payload["error"]["message"]
