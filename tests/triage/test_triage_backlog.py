"""The triage backlog is read a batch at a time, oldest first, at one cost whatever its size."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from spokes import triage_service
from spokes.models import Activity, Author, Mention


def _backlog(count: int) -> list[Mention]:
    """``count`` untriaged mentions, the later ids received earlier (ids and arrival disagree)."""
    author = Author.objects.create(source="twitter", handle="backlogged")
    start = timezone.now()
    return Mention.objects.bulk_create(
        Mention(
            source="twitter",
            external_id=f"bl-{n}",
            author=author,
            text=f"order {n} never arrived",
            posted_at=start,
            received_at=start - timedelta(seconds=n),
        )
        for n in range(count)
    )


def test_a_batch_of_the_backlog_is_its_oldest_arrivals(db, billing, monkeypatch):
    monkeypatch.setattr(triage_service, "BACKLOG_BATCH", 2)
    mentions = _backlog(5)
    assert triage_service.triage_batch(None) == 2
    triaged = set(Mention.objects.filter(triaged_at__isnull=False).values_list("id", flat=True))
    assert triaged == {mentions[4].pk, mentions[3].pk}  # received first, though made last


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner")


def _plans_of_backlog_reads(run) -> list[str]:
    """The plans PostgreSQL makes for the backlog's locking read while ``run()`` runs, asked
    on the same connection just before the statement runs (so with its session settings)."""
    plans = []

    def explain(execute, sql, params, many, context):
        if "SKIP LOCKED" in sql:
            with connection.connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        run()
    return plans


def test_a_batch_walks_the_untriaged_index_without_sorting_the_backlog(postgres_only, billing):
    # A backlog of 20,000 the statistics do not know of. Alone in a fresh database (as in
    # bench-ingest), PostgreSQL plans the plain statement as a read and sort of all 20,000
    # and this test fails without the setting; after other tests (the table's size and
    # statistics then differ) it may walk the index by itself. The batch read's plan must
    # not depend on that.
    _backlog(20000)
    with transaction.atomic():
        (plan,) = _plans_of_backlog_reads(triage_service._backlog_batch_locked)
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_sort")
            assert cursor.fetchone() == ("on",)  # the setting is back for what follows
    assert "Index Scan using mention_untriaged" in plan
    assert "Sort" not in plan


def test_a_drain_triages_the_whole_backlog_once(db, billing):
    mentions = _backlog(1200)
    assert triage_service.triage_backlog() == 1200
    assert not Mention.objects.filter(triaged_at__isnull=True).exists()
    triaged = Activity.objects.filter(verb="triaged", mention__in=[m.pk for m in mentions])
    assert triaged.count() == 1200
