"""On PostgreSQL, timestamps are read with psycopg's compiled loader (core/postgresql): the
same aware UTC datetimes Django's own loader gives, at a fraction of its cost."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.adapt import AdaptersMap

from core.postgresql.base import UtcTimestamptzLoader, adapters_template
from spokes.models import Mention
from tests.factories import MentionFactory

pytestmark = pytest.mark.django_db

SAMPLES = [
    "2026-11-27 05:16:44.509470+00",
    "2026-01-01 10:00:00+05",  # another offset: the same instant in UTC
    "1999-12-31 23:59:59.999999-08:30",
    "2024-02-29 12:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend's loader")


def _read(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_timestamps_load_as_django_loads_them(postgresql):
    connection.ensure_connection()
    assert connection.connection.adapters.get_loader(1184, 0) is UtcTimestamptzLoader
    values = [row[0] for row in _read("SELECT unnest(%s::text[])::timestamptz", [SAMPLES])]
    django_loader = BaseTzLoader(1184, connection.connection)  # Django's, for its UTC
    django_loader.timezone = datetime.UTC
    for text, value in zip(SAMPLES, values, strict=True):
        expected = django_loader.load(_read("SELECT %s::timestamptz::text", [text])[0][0].encode())
        assert value == expected
        assert value.tzinfo is datetime.UTC
        assert value.utcoffset() == datetime.timedelta(0)
    assert values[1] == datetime.datetime(2026, 1, 1, 5, 0, tzinfo=datetime.UTC)
    assert values[2].microsecond == 999999
    assert _read("SELECT NULL::timestamptz") == [(None,)]


def test_a_model_round_trip_keeps_the_instant(postgresql):
    moment = datetime.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=datetime.UTC)
    mention = MentionFactory(posted_at=moment)
    stored = Mention.objects.get(pk=mention.pk)
    assert stored.posted_at == moment
    assert stored.posted_at.tzinfo is datetime.UTC
    # a filter compares the instant, whatever the zone it was given in
    paris = moment.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert Mention.objects.filter(pk=mention.pk, posted_at=paris).exists()


def test_other_time_zone_settings_keep_djangos_loader():
    plain = adapters_template(False, None)
    assert isinstance(plain, AdaptersMap)
    assert plain.get_loader(1184, 0) is not UtcTimestamptzLoader
    other = datetime.timezone(datetime.timedelta(hours=1))
    assert adapters_template(True, other).get_loader(1184, 0).timezone is other
    assert adapters_template(True, datetime.UTC).get_loader(1184, 0) is UtcTimestamptzLoader
