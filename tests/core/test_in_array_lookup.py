"""``field__in_array`` (core.lookups) answers as ``field__in`` does, on the backend the tests
run on (SQLite by default, PostgreSQL in CI's second stage), and on PostgreSQL sends the values
as one array parameter: the statement's text is the same for any number of values."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from spokes.models import Author, Mention

MOMENT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def mentions(db, billing, support):
    authors = [Author.objects.create(source="twitter", handle=f"a{n}") for n in range(4)]
    rows = []
    for n in range(12):
        rows.append(
            Mention.objects.create(
                source="twitter",
                external_id=f"arr-{n}",
                author=authors[n % 4],
                text=f"text {n}",
                posted_at=MOMENT,
                department=(billing, support, None)[n % 3],
                status=("new", "resolved", "assigned")[n % 3],
            )
        )
    return rows


def _ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "lookup, values",
    [
        ("pk", lambda rows: [rows[0].pk, rows[5].pk, rows[11].pk, 10**12]),
        ("pk", lambda rows: {rows[1].pk, rows[2].pk}),
        ("pk", lambda rows: (rows[3].pk,)),
        ("author_id", lambda rows: [rows[0].author_id, rows[1].author_id]),
        ("department_id", lambda rows: [rows[0].department_id]),
        ("external_id", lambda rows: ["arr-1", "arr-7", "missing", 'it\'s "quoted"']),
        ("status", lambda rows: ["new", "assigned"]),
    ],
)
def test_the_same_rows_as_in(mentions, lookup, values):
    chosen = values(mentions)
    expected = _ids(Mention.objects.filter(**{f"{lookup}__in": chosen}))
    assert expected, "a case that selects nothing proves little"
    assert _ids(Mention.objects.filter(**{f"{lookup}__in_array": chosen})) == expected
    excluded = _ids(Mention.objects.exclude(**{f"{lookup}__in_array": chosen}))
    assert excluded == _ids(Mention.objects.exclude(**{f"{lookup}__in": chosen}))
    assert set(excluded).isdisjoint(expected)


def test_a_value_longer_than_the_column_matches_nothing(mentions):
    stored = Mention.objects.create(
        source="twitter",
        external_id="y" * 200,  # the column's length
        author=mentions[0].author,
        text="long id",
        posted_at=MOMENT,
    )
    longer = ["y" * 250]
    assert not Mention.objects.filter(external_id__in=longer).exists()
    assert not Mention.objects.filter(external_id__in_array=longer).exists()
    assert Mention.objects.filter(external_id__in_array=["y" * 200]).get() == stored


def test_no_values_match_nothing(mentions):
    assert not Mention.objects.filter(pk__in_array=[]).exists()
    assert _ids(Mention.objects.exclude(pk__in_array=[])) == _ids(Mention.objects.all())


def test_combined_with_other_lookups_and_joins(mentions):
    authors = [mentions[0].author_id, mentions[1].author_id]
    ids = [m.pk for m in mentions[:6]]
    query = (
        Mention.objects.filter(author_id__in_array=authors, status__in=["new", "assigned"])
        .exclude(pk__in_array=ids)
        .select_related("author")
    )
    expected = [
        m.pk
        for m in mentions
        if m.author_id in authors and m.status in ("new", "assigned") and m.pk not in ids
    ]
    assert expected
    assert sorted(m.pk for m in query) == sorted(expected)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array form is PostgreSQL's")
def test_one_parameter_whatever_the_number_of_values(mentions):
    compiled = []
    for count in (1, 500):
        ids = [m.pk for m in mentions] + list(range(10**9, 10**9 + count))
        query = Mention.objects.filter(pk__in_array=ids)
        assert len(list(query)) == len(mentions)
        sql, params = query.query.sql_with_params()
        assert "= ANY(" in sql
        assert list(params) == [ids]
        compiled.append(sql)
    assert compiled[0] == compiled[1]
