"""Concurrent batches sharing authors do not wait for each other's mentions (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from spokes import ingest, tasks
from spokes.ingest import mentions_ingest
from spokes.models import Author, Mention

pytestmark = pytest.mark.django_db(transaction=True)


def _batch(prefix, handles):
    return [
        {
            "source": "twitter",
            "external_id": f"{prefix}-{n}",
            "author": {"handle": handle, "followers": 10 + n},
            "text": f"post {n} of {prefix}",
        }
        for n, handle in enumerate(handles)
    ]


def test_a_batch_does_not_wait_for_another_batch_writing_mentions_of_the_same_authors(
    billing, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL only (SQLite serialises writers)")
    # The first batch stops inside its mentions' transaction, after its authors are stored.
    first_writing, release = threading.Event(), threading.Event()
    real_insert = ingest.insert_ignoring_conflicts

    def insert(model, objs, returning):
        if model is Mention and threading.current_thread().name == "first":
            first_writing.set()
            assert release.wait(30)
        return real_insert(model, objs, returning)

    monkeypatch.setattr(ingest, "insert_ignoring_conflicts", insert)
    results, errors = {}, []

    def push(name, items):
        try:
            results[name] = mentions_ingest(items=items)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    shared = ["crowd1", "crowd2", "crowd3"]
    first = threading.Thread(
        target=push, args=("first", _batch("one", [*shared, "only1"])), name="first"
    )
    second = threading.Thread(
        target=push, args=("second", _batch("two", [*shared, "only2"])), name="second"
    )
    first.start()
    try:
        assert first_writing.wait(30)
        second.start()
        second.join(20)
        # Written and committed while the first batch's transaction is still open.
        assert not second.is_alive(), "the second batch waited for the first one's mentions"
        assert not errors, errors
        assert [r.created for r in results["second"]] == [True] * 4
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert not errors, errors
    assert [r.created for r in results["first"]] == [True] * 4
    assert Mention.objects.filter(external_id__regex=r"^(one|two)-").count() == 8
    handles = list(Author.objects.order_by("handle").values_list("handle", flat=True))
    assert handles == ["crowd1", "crowd2", "crowd3", "only1", "only2"]  # one row each
    by_handle = {m.author.handle for m in Mention.objects.select_related("author")}
    assert by_handle == set(handles)


def test_a_batch_whose_mentions_fail_keeps_its_authors_only_where_they_were_committed_first(
    billing, monkeypatch
):
    real_insert = ingest.insert_ignoring_conflicts

    def insert(model, objs, returning):
        if model is Mention:
            raise RuntimeError("the database went away")
        return real_insert(model, objs, returning)

    monkeypatch.setattr(ingest, "insert_ignoring_conflicts", insert)
    with pytest.raises(RuntimeError):
        mentions_ingest(items=_batch("lost", ["newcomer"]))
    assert not Mention.objects.exists()
    # PostgreSQL: the author was committed on its own first, and a retry finds it. SQLite:
    # one transaction for all, rolled back.
    expected = ["newcomer"] if connection.vendor == "postgresql" else []
    assert list(Author.objects.values_list("handle", flat=True)) == expected
    monkeypatch.setattr(ingest, "insert_ignoring_conflicts", real_insert)
    assert [r.created for r in mentions_ingest(items=_batch("lost", ["newcomer"]))] == [True]
    assert Author.objects.count() == 1


def test_known_authors_are_read_without_a_transaction_of_their_own(billing, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("authors are written apart from the mentions on PostgreSQL only")
    mentions_ingest(items=_batch("first", ["known1", "known2"]))
    monkeypatch.setattr(tasks, "triage_on_commit", lambda ids: None)  # its transactions apart
    transactions = []
    real = connection.set_autocommit

    def set_autocommit(autocommit, **kwargs):
        if not autocommit:
            transactions.append("BEGIN")
        return real(autocommit, **kwargs)

    monkeypatch.setattr(connection, "set_autocommit", set_autocommit)
    results = mentions_ingest(items=_batch("again", ["known1", "known2"]))  # same followers
    assert [r.created for r in results] == [True, True]
    assert transactions == ["BEGIN"]  # the mentions' own: BEGIN and COMMIT spared for authors

    transactions.clear()
    changed = _batch("third", ["known1", "new1"])
    changed[0]["author"]["followers"] = 999
    results = mentions_ingest(items=changed)
    assert [r.created for r in results] == [True, True]
    assert transactions == ["BEGIN", "BEGIN"]  # the authors' writes, then the mentions
    followers = dict(Author.objects.values_list("handle", "followers"))
    assert followers == {"known1": 999, "known2": 11, "new1": 11}
    assert Mention.objects.get(external_id="third-1").author.handle == "new1"
