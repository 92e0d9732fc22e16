"""The plain validation path answers as DRF does, or leaves the answer to DRF.

``plain_validator`` must return exactly what ``run_validation`` returns, or None; these tests
feed both generated mentions mixing valid values with every kind of wrong one (types, blanks,
whitespace, lengths one past the limit, nulls, null characters, surrogates, bad links, times
and slugs, missing and unknown keys).
"""

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from api.v1 import inputs
from api.v1.inputs import StrictCharField, StrictIntegerField, plain_validator
from api.v1.mentions import MentionInSerializer
from spokes.models import Mention

WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2003\u3000"
LETTERS = "ab Z\u00e9\u0130\U0001f600"


def sized(limit):
    """Strings at and around ``limit`` characters."""
    return st.sampled_from([limit - 1, limit, limit + 1]).map(lambda n: "x" * n)


STRINGS = st.one_of(
    st.text(alphabet=LETTERS + WHITESPACE, max_size=12),
    st.sampled_from(["", " ", "\t\n", " jo ", "a\x00b", "a\ud800b", "0", "12"]),
    sized(8),
    sized(50),
    sized(150),
    sized(200),
)
OTHERS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([0, 2_147_483_647, 2_147_483_648, -1, 1.0, 1.5, float("nan")]),
    st.just([]),
    st.just({}),
    st.just(["twitter"]),
)
LINKS = st.sampled_from(
    [
        "https://x.com/jo",
        "https://x.com/jo/status/1?s=20#top",
        "HTTP://X.COM/",
        "https://x..com/",
        "https://-x.com/",
        "javascript:alert(1)",
        "ftp://files.example.org/a",
        "https://[::1]/",
        "https://x.com/a b",
        "https://" + "a" * 490 + ".com",
        "",
        " https://x.com/ ",
    ]
)
TIMES = st.sampled_from(
    [
        "2026-01-10T10:00:00Z",
        "2026-01-10T10:00:00.123456+02:00",
        "2026-01-10T10:00:00",
        "2026-01-10",
        "2026-13-10T10:00:00Z",
        "yesterday",
        "",
        "9999-12-31T23:59:59-05:00",
    ]
)
CHOICES = st.sampled_from(["twitter", "instagram", "facebook", "TWITTER", "", "web", " twitter"])
SLUGS = st.sampled_from(["billing", "web-shop_2", "", "bad slug", "x" * 51, "caf\u00e9"])


def value(*specific):
    return st.one_of(*specific, STRINGS, OTHERS)


AUTHORS = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "handle": value(STRINGS),
            "display_name": value(STRINGS),
            "followers": value(st.integers(min_value=-5, max_value=2**32)),
            "url": value(LINKS),
            "extra": OTHERS,
        },
    ),
    OTHERS,
)
ITEMS = st.fixed_dictionaries(
    {},
    optional={
        "source": value(CHOICES),
        "external_id": value(STRINGS),
        "author": AUTHORS,
        "text": value(STRINGS),
        "url": value(LINKS),
        "posted_at": value(TIMES),
        "parent_external_id": value(STRINGS),
        "language": value(STRINGS),
        "department": value(SLUGS),
        "unknown": OTHERS,
    },
)
# Valid items, each then made wrong or odd in one field.
CLEAN = st.text(alphabet=LETTERS, min_size=1, max_size=10)
VALID = st.fixed_dictionaries(
    {
        "source": st.sampled_from(["twitter", "instagram"]),
        "external_id": CLEAN,
        "author": st.fixed_dictionaries(
            {"handle": CLEAN},
            optional={
                "display_name": st.text(alphabet=LETTERS, max_size=10),
                "followers": st.integers(min_value=0, max_value=2**31 - 1),
                "url": st.sampled_from(["https://x.com/jo", "", "http://shop.example.org:8080/"]),
            },
        ),
        "text": st.text(alphabet=LETTERS + WHITESPACE, max_size=30).map(lambda t: "hi" + t),
    },
    optional={
        "url": st.sampled_from(["https://x.com/jo/status/1", ""]),
        "posted_at": st.sampled_from(["2026-01-10T10:00:00Z", "2026-01-10T10:00:00"]),
        "parent_external_id": st.text(alphabet=LETTERS, max_size=10),
        "language": st.sampled_from(["en", "", "pt-BR"]),
        "department": st.sampled_from(["billing", ""]),
    },
)
WRONG = st.one_of(OTHERS, STRINGS, LINKS, TIMES, CHOICES, SLUGS)
NEARLY_VALID = st.builds(
    lambda item, key, wrong: {**item, key: wrong},
    VALID,
    st.sampled_from(sorted(MentionInSerializer().fields)),
    WRONG,
)

NEARLY_VALID_AUTHOR = st.builds(
    lambda item, key, wrong: {**item, "author": {**item["author"], key: wrong}},
    VALID,
    st.sampled_from(["handle", "display_name", "followers", "url"]),
    WRONG,
)


def drf(serializer, raw):
    try:
        return serializer.run_validation(raw)
    except ValidationError:
        return "invalid"


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(ITEMS, VALID, NEARLY_VALID, NEARLY_VALID_AUTHOR, OTHERS))
def test_the_plain_path_answers_as_drf_or_leaves_it_to_drf(raw):
    serializer = MentionInSerializer()
    plain = plain_validator(serializer)
    found = plain(raw)
    if found is not None:
        assert found == drf(serializer, raw)


def test_usual_mentions_take_the_plain_path():
    serializer = MentionInSerializer()
    raw = {
        "source": "twitter",
        "external_id": " 1 ",
        "author": {"handle": "jo", "display_name": "", "followers": 3, "url": "https://x.com/jo"},
        "text": " Where is my parcel? ",
        "url": "https://x.com/jo/status/1",
        "posted_at": "2026-01-10T10:00:00+02:00",
        "language": "en",
        "department": "billing",
        "unknown": [1],
    }
    found = plain_validator(serializer)(raw)
    assert found is not None
    assert found == serializer.run_validation(raw)
    assert found["external_id"] == "1" and found["text"] == " Where is my parcel? "


@pytest.mark.parametrize(
    "change",
    [
        {"source": "TWITTER"},
        {"external_id": "  "},
        {"text": ""},
        {"author": {"handle": "jo", "followers": True}},
        {"author": {"handle": "jo", "followers": -1}},
        {"author": None},
        {"url": "https://x..com/"},
        {"language": "x" * 9},
        {"posted_at": None},
        {"department": "bad slug"},
        {"text": "a\x00b"},
    ],
)
def test_anything_wrong_is_left_to_drf(change):
    raw = {
        "source": "twitter",
        "external_id": "1",
        "author": {"handle": "jo"},
        "text": "hi",
        **change,
    }
    serializer = MentionInSerializer()
    assert plain_validator(serializer)(raw) is None
    assert drf(serializer, raw) == "invalid"


class WithFieldMethod(serializers.Serializer):
    name = StrictCharField()

    def validate_name(self, value):
        return value.upper()


class WithValidate(serializers.Serializer):
    count = StrictIntegerField()

    def validate(self, attrs):
        return attrs


class WithDefault(serializers.Serializer):
    name = StrictCharField(default="x")


class WithDottedSource(serializers.Serializer):
    name = StrictCharField(source="author.name")


class Converting(serializers.CharField):
    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class WithOwnField(serializers.Serializer):
    name = Converting()


@pytest.mark.parametrize(
    "serializer_class", [WithFieldMethod, WithValidate, WithDefault, WithDottedSource]
)
def test_serializers_it_cannot_follow_get_no_plain_path(serializer_class):
    assert plain_validator(serializer_class()) is None


def test_ingestion_goes_through_drf_once_the_serializer_has_a_check_of_its_own(
    billing_api, monkeypatch
):
    monkeypatch.setattr(inputs, "_per_thread", threading.local())  # built afresh
    monkeypatch.setattr(
        MentionInSerializer, "validate_text", lambda self, value: value.upper(), raising=False
    )
    response = billing_api.post(
        "/api/v1/mentions/",
        {
            "source": "twitter",
            "external_id": "own-check",
            "author": {"handle": "jo"},
            "text": "refund please",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Mention.objects.get(external_id="own-check").text == "REFUND PLEASE"


class Unbounded(serializers.Serializer):
    count = StrictIntegerField()


@pytest.mark.parametrize("digits", [1, 19, 20, 21, 4300, 5000])
def test_integers_of_any_size_answer_as_drf(digits):
    serializer = Unbounded()
    count = 10 ** (digits - 1) + 7
    found = plain_validator(serializer)({"count": count})
    if found is not None:
        assert found == drf(serializer, {"count": count})
    if digits > 4300:  # more than Python writes out in decimal: DRF refuses it
        assert found is None and drf(serializer, {"count": count}) == "invalid"


def test_a_field_with_its_own_conversion_is_validated_by_the_field():
    serializer = WithOwnField()
    assert plain_validator(serializer)({"name": " jo "}) == {"name": "JO"}


def test_a_strict_text_padded_past_its_limit_is_refused_on_both_paths():
    class Note(serializers.Serializer):
        text = StrictCharField(max_length=3)

    assert plain_validator(Note())({"text": " abc"}) is None  # DRF decides
    assert plain_validator(Note())({"text": " ab"}) == {"text": "ab"}  # 3 as sent
    serializer = Note(data={"text": " abc"})
    assert not serializer.is_valid()
    assert serializer.errors["text"][0].code == "max_length"
