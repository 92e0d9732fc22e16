"""The ingestion serializer's own fields answer exactly as DRF's and Django's would.

``CommonURLValidator`` accepts the usual shape of a link without Django's full checks: every
string of that shape must pass them, and on anything else it must answer as Django does.
``DateTimeField`` reads naive times in the site's time zone without asking for the active one.
"""

import datetime as dt
import string

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from api.v1.inputs import CommonURLValidator, DateTimeField
from api.v1.mentions import MentionInSerializer

django_check = URLValidator()
fast = CommonURLValidator()


def outcome(validator, value):
    try:
        validator(value)
    except ValidationError as exc:
        return ("invalid", exc.messages, exc.code)
    return "valid"


@settings(max_examples=500, deadline=None)
@given(value=st.from_regex(CommonURLValidator.common, fullmatch=True))
def test_every_link_of_the_common_shape_passes_djangos_checks(value):
    assert outcome(fast, value) == outcome(django_check, value)


# Characters where links go wrong: case-folding look-alikes (Kelvin sign, long s, dotted I),
# non-ASCII letters, whitespace and controls, brackets, @ and :, dashes and dots.
URLISH = string.ascii_letters[:6] + "Kks0-9.:/?#@[]%_ \t\n\u212a\u017f\u0130\u00e9\u00a0"
NEAR_LINKS = st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "javascript:", "", "http:/"]),
    st.text(alphabet=URLISH, max_size=30),
)
LONG_LABELS = st.builds(
    lambda labels, tld: "https://" + ".".join(labels) + "." + tld + "/p",
    st.lists(st.text(alphabet="ab-", min_size=1, max_size=70), min_size=1, max_size=5),
    st.text(alphabet="abc-1", min_size=1, max_size=70),
)


@settings(max_examples=800, deadline=None)
@given(value=st.one_of(NEAR_LINKS, LONG_LABELS))
def test_any_other_value_gets_djangos_answer(value):
    assert outcome(fast, value) == outcome(django_check, value)


@pytest.mark.parametrize(
    "value",
    [
        "https://x.com/jo/status/1",
        "http://shop.example.co.uk:8080/basket?id=3#top",
        "HTTPS://X.COM/jo",  # upper-case scheme: Django's full checks accept it
        "https://ex\u212aample.com/",  # Kelvin sign: not ASCII, full checks
        "https://-x.com/",
        "https://x-.com/",
        "https://x..com/",
        "https://x.com:123456/",
        "https://x.c/",
        "https://x.com/a b",
        "https://" + "a" * 64 + ".com/",
        "https://" + ".".join(["a" * 63] * 4) + ".com/",  # host over 253 characters
        "https://x.com/" + "a" * 2100,  # over Django's 2,048
        "https://user:pw@x.com/",
        "https://[::1]/",
        "https://127.0.0.1/",
        "javascript:alert(1)",
        "",
        12,
        None,
    ],
)
def test_edge_cases_answer_as_django(value):
    assert outcome(fast, value) == outcome(django_check, value)


def test_the_ingestion_serializer_uses_it_with_drfs_message():
    fields = MentionInSerializer().fields
    for field in (fields["url"], fields["author"].fields["url"]):
        kinds = [type(v) for v in field.validators]
        assert CommonURLValidator in kinds and URLValidator not in kinds
    serializer = MentionInSerializer(
        data={
            "source": "twitter",
            "external_id": "1",
            "author": {"handle": "jo", "url": "https://x.com/jo"},
            "text": "hi",
            "url": "https://x..com/jo/status/1",
        }
    )
    assert not serializer.is_valid()
    assert serializer.errors == {"url": ["Enter a valid URL."]}


@pytest.mark.parametrize(
    ("zone", "expected_hour"),
    [("UTC", 10), ("Europe/Paris", 9), ("America/New_York", 15)],
)
def test_naive_posting_times_are_read_in_the_sites_time_zone(zone, expected_hour):
    with override_settings(TIME_ZONE=zone):
        value = DateTimeField().run_validation("2026-01-10T10:00:00")
    assert value.astimezone(dt.UTC).hour == expected_hour


def test_times_with_an_offset_keep_their_instant():
    value = DateTimeField().run_validation("2026-01-10T10:00:00+02:00")
    assert value == dt.datetime(2026, 1, 10, 8, 0, tzinfo=dt.UTC)
