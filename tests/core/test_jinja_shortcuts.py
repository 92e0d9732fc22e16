"""The queue rows' Jinja2 helpers (config/jinja2.py) answer exactly what Django answers."""

import datetime
import random
import string

import pytest
from django.template.defaultfilters import floatformat, truncatechars
from django.urls import reverse
from django.utils import text as text_utils
from django.utils import timezone, translation
from django.utils.timesince import timesince, timeuntil

from config import jinja2 as helpers

MINUTE = 60
DAY = 86400
# Half a minute past each whole minute, so that the two calls' clocks (microseconds apart)
# fall in the same minute.
OFFSETS = [
    0,
    20,
    59,
    MINUTE,
    5 * MINUTE,
    59 * MINUTE,
    3600,
    3600 + 7 * MINUTE,
    DAY - MINUTE,
    DAY,
    3 * DAY + 4 * 3600,
    13 * DAY,
    27 * DAY + 23 * 3600 + 59 * MINUTE,
    28 * DAY,
    45 * DAY,
    400 * DAY,
]


@pytest.mark.parametrize("seconds", OFFSETS)
def test_durations_read_as_django_writes_them(seconds):
    helpers._durations.clear()
    now = timezone.now()
    past = now - datetime.timedelta(seconds=seconds + 30)
    future = now + datetime.timedelta(seconds=seconds + 30)
    for _ in range(2):  # the second time from what was remembered
        assert helpers._timesince(past) == timesince(past)
        assert helpers._timeuntil(future) == timeuntil(future)
        # another moment the same whole minutes away reads the same
        assert helpers._timesince(past + datetime.timedelta(seconds=10)) == timesince(
            past + datetime.timedelta(seconds=10)
        )


def test_a_remembered_duration_is_not_served_in_another_language():
    helpers._durations.clear()
    moment = timezone.now() - datetime.timedelta(hours=2, minutes=5, seconds=30)
    english = helpers._timesince(moment)
    with translation.override("de"):
        german = helpers._timesince(moment)
        assert german == timesince(moment)
    assert english == timesince(moment) and english != german


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "x" * 160,
        "x" * 161,
        "e\u0301" * 100,  # 200 code points, 100 characters once composed
        "e\u0301" * 170,
        "\u202egnp.exe\u200b" * 30,
        "<script>alert(1)</script>" * 10,
    ],
)
def test_truncation_is_djangos(text):
    assert helpers._truncatechars(text, 160) == truncatechars(text, 160)


def test_long_ascii_texts_are_cut_where_django_cuts_them():
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 300)))
        length = rng.choice([1, 2, 3, rng.randint(1, 300)])
        assert helpers._truncatechars(text, length) == truncatechars(text, length), (text, length)


@pytest.mark.parametrize("language", ["en-gb", "fr", "ja", "ar"])
def test_truncation_follows_the_language(language):
    with translation.override(language):
        for length in (1, 5, 40):
            assert helpers._truncatechars("y" * 50, length) == truncatechars("y" * 50, length)


def test_a_truncation_text_without_the_placeholder_is_left_to_django(monkeypatch):
    monkeypatch.setattr(helpers, "pgettext", lambda context, text: " [more]")
    monkeypatch.setattr(text_utils, "pgettext", lambda context, text: " [more]")
    helpers._truncations.clear()
    try:
        for text in ("z" * 50, "ends with [more]" + "z" * 40):
            assert helpers._truncatechars(text, 20) == truncatechars(text, 20)
        assert truncatechars("z" * 50, 20).endswith(" [more]")
    finally:
        helpers._truncations.clear()


def test_urls_are_djangos():
    assert helpers._url("spokes:mention", 42) == reverse("spokes:mention", args=[42])
    assert helpers._url("spokes:queue", "billing") == reverse("spokes:queue", args=["billing"])


NUMBERS = [0.0, -0.0, 0.125, -0.125, 0.005, -0.004, 0.999, -0.995, 1.0, -1.0, 1234567.891]
NUMBERS += [float("nan"), float("inf"), float("-inf"), 3, "0.5", None, "text"]


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
@pytest.mark.parametrize("arg", [2, 0, -1, "-2", "2g"])
def test_float_formatting_is_djangos_twice(value, arg):
    for _ in range(2):  # the second answer comes from what the first remembered
        assert helpers._floatformat(value, arg) == floatformat(value, arg)


def test_a_remembered_number_is_not_served_in_another_language():
    helpers._floats.clear()
    english = helpers._floatformat(0.5, 2)
    with translation.override("de"):
        german = helpers._floatformat(0.5, 2)
        assert german == floatformat(0.5, 2)
    assert (english, german) == ("0.50", "0,50")
