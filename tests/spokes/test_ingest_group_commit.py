"""Single mentions arriving at once share a transaction; each caller still gets its own."""

import threading

import pytest
from django.db import connection, connections

from spokes import ingest
from spokes.ingest import mention_ingest_one
from spokes.models import Mention

pytestmark = pytest.mark.django_db(transaction=True)


def _item(n, **extra):
    return {
        "source": "twitter",
        "external_id": f"gc-{n}",
        "author": {"handle": f"gc{n % 5}", "followers": 7},
        "text": f"post number {n}",
        **extra,
    }


def _run_at_once(items, threads=12):
    """Every item through mention_ingest_one, ``threads`` callers at a time."""
    barrier = threading.Barrier(threads)
    results, errors = {}, []
    lock = threading.Lock()
    pending = list(enumerate(items))

    def caller():
        try:
            barrier.wait()
            while True:
                with lock:
                    if not pending:
                        return
                    index, item = pending.pop()
                results[index] = mention_ingest_one(item)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=caller) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    return results


@pytest.fixture
def batch_sizes(monkeypatch):
    sizes = []
    real = ingest.mentions_ingest

    def recording(*, items, **kwargs):
        sizes.append(len(items))
        return real(items=items, **kwargs)

    monkeypatch.setattr(ingest, "mentions_ingest", recording)
    return sizes


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL only (SQLite serialises writers)")


def test_concurrent_singles_are_written_together_and_each_answered_with_its_own(
    billing, batch_sizes
):
    _needs_postgresql()
    items = [_item(n) for n in range(240)]
    results = _run_at_once(items)
    assert Mention.objects.filter(external_id__startswith="gc-").count() == 240
    for index, item in enumerate(items):
        assert results[index].created
        assert results[index].mention.external_id == item["external_id"]
        assert Mention.objects.get(pk=results[index].mention.pk).text == item["text"]
    assert sum(batch_sizes) == 240
    assert max(batch_sizes) > 1, "no transaction was shared"


def test_a_duplicate_in_the_same_shared_transaction_is_created_once(billing):
    _needs_postgresql()
    items = [_item(n % 40) for n in range(160)]  # each mention pushed four times
    results = _run_at_once(items)
    assert Mention.objects.filter(external_id__startswith="gc-").count() == 40
    created = [r for r in results.values() if r.created]
    assert len(created) == 40
    by_key = {}
    for result in results.values():
        by_key.setdefault(result.mention.external_id, set()).add(result.mention.pk)
    assert all(len(pks) == 1 for pks in by_key.values())


def test_a_failed_shared_transaction_costs_no_one_their_mention(billing, monkeypatch):
    _needs_postgresql()
    real = ingest.mentions_ingest
    failed = []

    def fails_when_shared(*, items, **kwargs):
        if len(items) > 1:
            failed.append(len(items))
            raise RuntimeError("shared transaction failed")
        return real(items=items, **kwargs)

    monkeypatch.setattr(ingest, "mentions_ingest", fails_when_shared)
    items = [_item(n) for n in range(60)]
    results = _run_at_once(items)
    assert failed, "no transaction was shared"
    assert all(results[i].created for i in range(60))
    assert Mention.objects.filter(external_id__startswith="gc-").count() == 60


def test_alone_it_is_written_at_once(billing, batch_sizes):
    result = mention_ingest_one(_item(1))
    assert result.created and Mention.objects.filter(pk=result.mention.pk).exists()
    assert batch_sizes == [1]
