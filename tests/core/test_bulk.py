"""core.bulk writes exactly what the objects hold (on PostgreSQL as JSON rows, on SQLite as
statements): texts with quotes and emoji, microseconds, JSON values, nulls, conflicts."""

from datetime import UTC, datetime, timedelta, timezone

from core.bulk import bulk_update_rows, insert_ignoring_conflicts
from spokes.models import Activity, Author, Mention

MOMENT = datetime(2026, 11, 26, 9, 41, 7, 123456, tzinfo=UTC)
TEXT = (
    'He said "refund" \\ back\\slash, it\'s 50% off \U0001f621 \u05e9\u05dc\u05d5\u05dd\nnew line'
)


def _mention(author, n, **extra):
    return Mention(
        **{
            "source": "twitter",
            "external_id": f"bulk-{n}",
            "author": author,
            "text": TEXT,
            "posted_at": MOMENT,
            "received_at": MOMENT,
            **extra,
        }
    )


def test_inserted_rows_read_back_as_they_were_given(db, billing):
    author = Author.objects.create(source="twitter", handle="jo")
    rows = insert_ignoring_conflicts(
        Mention,
        [_mention(author, 1, department=billing, flags=["legal", "outage"]), _mention(author, 2)],
        ["id", "external_id"],
    )
    assert [external_id for _, external_id in rows] == ["bulk-1", "bulk-2"]
    first, second = Mention.objects.filter(pk__in=[pk for pk, _ in rows]).order_by("external_id")
    assert first.text == second.text == TEXT
    assert first.posted_at == first.received_at == MOMENT  # the microseconds kept
    assert first.flags == ["legal", "outage"] and second.flags == []
    assert first.department_id == billing.pk and second.department_id is None
    assert second.sentiment is None and second.triaged_at is None
    assert first.updated_at is not None  # auto_now filled in


def test_times_as_text_or_in_another_zone_keep_their_instant(db):
    author = Author.objects.create(source="twitter", handle="jo")
    plus_two = MOMENT.astimezone(timezone(timedelta(hours=2)))
    rows = insert_ignoring_conflicts(
        Mention,
        [
            _mention(author, 1, posted_at="2026-11-26T09:41:07.123456+00:00"),
            _mention(author, 2, posted_at=plus_two),
        ],
        ["id"],
    )
    stored = Mention.objects.filter(pk__in=[pk for (pk,) in rows])
    assert [m.posted_at for m in stored] == [MOMENT, MOMENT]


def test_a_conflicting_row_is_skipped_and_not_returned(db):
    author = Author.objects.create(source="twitter", handle="jo")
    insert_ignoring_conflicts(Mention, [_mention(author, 1)], ["id"])
    rows = insert_ignoring_conflicts(Mention, [_mention(author, 1), _mention(author, 2)], ["id"])
    assert len(rows) == 1
    assert Mention.objects.count() == 2


def test_json_data_and_nulls_of_activity_rows(db, billing):
    author = Author.objects.create(source="twitter", handle="jo")
    (mention_id,) = insert_ignoring_conflicts(Mention, [_mention(author, 1)], ["id"])[0]
    data = {"priority": 3, "routed_by": 'rule "A"', "nested": {"ok": True, "n": None}}
    insert_ignoring_conflicts(
        Activity,
        [Activity(mention_id=mention_id, actor=None, verb="triaged", data=data, created_at=MOMENT)],
        ["id"],
    )
    activity = Activity.objects.get(mention_id=mention_id)
    assert activity.data == data and activity.actor_id is None and activity.created_at == MOMENT


def test_bulk_update_writes_the_listed_fields_only(db, billing):
    author = Author.objects.create(source="twitter", handle="jo")
    ids = [pk for (pk,) in insert_ignoring_conflicts(
        Mention, [_mention(author, n) for n in range(3)], ["id"]
    )]  # fmt: skip
    mentions = list(Mention.objects.filter(pk__in=ids).order_by("pk"))
    for n, mention in enumerate(mentions):
        mention.department = billing
        mention.sentiment = -0.5 + n / 4
        mention.flags = ["health"] if n else []
        mention.triaged_at = MOMENT
        mention.text = "not written"
    assert bulk_update_rows(mentions, ["department", "sentiment", "flags", "triaged_at"]) == 3
    stored = list(Mention.objects.filter(pk__in=ids).order_by("pk"))
    assert [m.sentiment for m in stored] == [-0.5, -0.25, 0.0]
    assert [m.flags for m in stored] == [[], ["health"], ["health"]]
    assert {m.department_id for m in stored} == {billing.pk}
    assert {m.triaged_at for m in stored} == {MOMENT}
    assert {m.text for m in stored} == {TEXT}


def test_rows_given_as_dicts_are_written_as_instances_are(db, agent):
    author = Author.objects.create(source="twitter", handle="jo")
    rows = insert_ignoring_conflicts(Mention, [_mention(author, 1), _mention(author, 2)], ["id"])
    (first,), (second,) = rows
    data = {"priority": 3, "routed_by": 'rule "A"', "flags": ["legal"], "nested": {"n": None}}
    values = {"actor_id": agent.pk, "verb": "triaged", "data": data, "created_at": MOMENT}
    insert_ignoring_conflicts(Activity, [Activity(mention_id=first, **values)], ["id"])
    written = insert_ignoring_conflicts(Activity, [{"mention_id": second, **values}], ["id"])
    assert len(written) == 1
    by_instance, by_dict = (
        Activity.objects.filter(mention_id=pk).values("actor_id", "verb", "data", "created_at")
        for pk in (first, second)
    )
    assert list(by_dict) == list(by_instance) == [values]
