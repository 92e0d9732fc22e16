"""Concurrent duplicates create exactly one row (PostgreSQL: real concurrent transactions)."""

import threading

import pytest
from django.db import connection

from spokes.ingest import mentions_ingest
from spokes.models import Mention

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_duplicate_batches_create_each_mention_once(billing):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL only (SQLite serialises writers)")
    batch = [
        {
            "source": "twitter",
            "external_id": f"race-{i}",
            "author": {"handle": f"racer{i % 7}", "followers": 3},
            "text": "same post, two listening tools",
        }
        for i in range(200)
    ]
    barrier = threading.Barrier(8)
    outcomes, errors = [], []

    def push():
        from django.db import connections

        try:
            barrier.wait()
            results = mentions_ingest(items=batch)
            outcomes.append(sum(r.created for r in results))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Mention.objects.filter(external_id__startswith="race-").count() == 200
    assert sum(outcomes) == 200  # each created exactly once across all requests
