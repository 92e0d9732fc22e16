"""The Jinja2 environment, for the few templates rendered many times per page (queue rows).

Django's template language costs about 0.4 ms per queue row here: 20 ms of a 50-row page,
half the page's time. Jinja2 compiles templates to Python and renders the same rows in a
fraction of that. Autoescaping is on (Django's Jinja2 backend default), so untrusted social
text is escaped exactly as in the Django templates.
"""

import datetime
import functools
import unicodedata

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat, truncatechars
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.text import add_truncation_text
from django.utils.timesince import timesince
from django.utils.translation import pgettext
from jinja2 import Environment

from spokes.filters import sentiment_word

# Each of the fifty rows of a queue page reverses a URL, formats two durations and truncates
# a text; Django's versions of these cost about a third of the rows' time. The shortcuts below
# give exactly Django's output (each falls back to Django, or stores what Django answered).

_SENTINEL = 918273645


@functools.lru_cache(maxsize=256)
def _url_parts(name: str, prefix: str, urlconf) -> tuple[str, str] | None:
    """The text before and after the one integer argument of URL ``name``."""
    parts = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
    return (parts[0], parts[1]) if len(parts) == 2 else None


def _url(name: str, *args) -> str:
    if len(args) == 1 and type(args[0]) is int:
        parts = _url_parts(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        if parts is not None:
            return f"{parts[0]}{args[0]}{parts[1]}"
    return reverse(name, args=args)


def _remembered(store: dict, key, answer) -> str:
    """``store[key]``, set to ``answer()`` the first time (the store emptied past 20,000)."""
    text = store.get(key)
    if text is None:
        if len(store) > 20_000:
            store.clear()
        text = store[key] = answer()
    return text


# Under 28 days no calendar month fits between two moments, so Django's wording depends only
# on the whole minutes between them (and the language): remembered by those.
_MONTH_FREE = 28 * 86400
_durations: dict[tuple, str] = {}


def _duration(value, reverse_: bool) -> str:
    if not isinstance(value, datetime.datetime):
        return timesince(value, reversed=reverse_)
    now = datetime.datetime.now(value.tzinfo if timezone.is_aware(value) else None)
    delta = (value - now) if reverse_ else (now - value)
    since = delta.days * 86400 + delta.seconds
    if since >= _MONTH_FREE:
        return timesince(value, now, reversed=reverse_)
    key = (since // 60 if since > 0 else -1, translation.get_language())
    return _remembered(_durations, key, lambda: timesince(value, now, reversed=reverse_))


def _timesince(value) -> str:
    return _duration(value, False)


def _timeuntil(value) -> str:
    return _duration(value, True)


_floats: dict[tuple, str] = {}


def _floatformat(value, arg=-1) -> str:
    """Django's ``floatformat``, remembered per (float, argument, language): a queue page
    formats fifty sentiment scores (three decimals: at most 2,001 values), each 18 us in
    Django's Decimal and locale code."""
    if type(value) is not float or value != value:  # NaN is never equal to itself as a key
        return floatformat(value, arg)
    key = (value, arg, translation.get_language())
    return _remembered(_floats, key, lambda: floatformat(value, arg))


_truncations: dict[str, tuple[str, int]] = {}


def _truncation() -> tuple[str, int]:
    """The current language's truncation text (``%(truncated_text)s…`` in English) and how
    many of its characters count against the length, as Django works them out."""

    def answer():
        template = pgettext("String to return when truncating text", "%(truncated_text)s…")
        counted = sum(1 for c in add_truncation_text("") if not unicodedata.combining(c))
        return template, counted

    return _remembered(_truncations, translation.get_language(), answer)


def _truncatechars(value, length) -> str:
    """Django's ``truncatechars``; a text already short enough comes back NFC-normalised, as
    Django returns it, without its character-by-character walk, and so does a longer one in
    ASCII (no combining characters: every character counts), cut where Django cuts it. Django
    walks the text a character at a time and translates its truncation text at every call: a
    queue page truncates fifty texts, most of them longer than the column."""
    if isinstance(value, str) and isinstance(length, int) and length > 0:
        normalized = unicodedata.normalize("NFC", value)
        if len(normalized) <= length:
            return normalized
        if normalized.isascii():
            template, counted = _truncation()
            if "%(truncated_text)s" in template:
                return template % {"truncated_text": normalized[: max(length - counted, 0)]}
    return truncatechars(value, length)


def _iso(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # never off, whatever the settings say
    env = Environment(autoescape=True, **options)
    env.globals.update(url=_url)
    env.filters.update(
        intcomma=intcomma,
        floatformat=_floatformat,
        truncatechars=_truncatechars,
        timesince=_timesince,
        timeuntil=_timeuntil,
        iso=_iso,
        sentiment_word=sentiment_word,
    )
    return env
