"""Coalesced triage: one backlog task at a time drains every untriaged mention."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from spokes import tasks, triage_service
from spokes.ingest import mentions_ingest
from spokes.models import Mention


@pytest.fixture(autouse=True)
def coalesced(settings):
    settings.TRIAGE_COALESCE = True
    cache.delete(tasks.BACKLOG_FLAG)
    yield
    cache.delete(tasks.BACKLOG_FLAG)


def _item(n, text="My invoice charged me twice, refund please"):
    return {
        "source": "twitter",
        "external_id": f"co-{n}",
        "author": {"handle": f"jo{n}", "followers": 50},
        "text": text,
    }


def _ingest(*numbers):
    return [r.mention.pk for r in mentions_ingest(items=[_item(n) for n in numbers])]


def test_an_ingest_raises_the_flag_and_its_task_triages_and_lowers_it(
    billing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ids = _ingest(1, 2)
    assert Mention.objects.filter(pk__in=ids, triaged_at__isnull=False).count() == 2
    assert cache.get(tasks.BACKLOG_FLAG) is None  # the task lowered it before draining


def test_while_a_task_is_queued_an_ingest_sends_none_and_that_task_takes_its_mentions(
    billing, django_capture_on_commit_callbacks, monkeypatch
):
    cache.add(tasks.BACKLOG_FLAG, 1, timeout=60)  # a backlog task is on its way
    sent = []
    monkeypatch.setattr(tasks, "send_now", lambda task, args, **kw: sent.append(task.name) or True)
    with django_capture_on_commit_callbacks(execute=True):
        ids = _ingest(1)
        _ingest(2)
    assert sent == []
    assert not Mention.objects.filter(triaged_at__isnull=False).exists()
    monkeypatch.undo()
    assert tasks.triage_backlog.delay().get() == 2
    assert Mention.objects.get(pk=ids[0]).activities.filter(verb="triaged").count() == 1
    assert cache.get(tasks.BACKLOG_FLAG) is None


def test_with_the_cache_down_the_mentions_are_sent_by_id(
    billing, django_capture_on_commit_callbacks, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(tasks.cache, "add", down)
    with django_capture_on_commit_callbacks(execute=True):
        ids = _ingest(1)
    assert Mention.objects.get(pk=ids[0]).triaged_at is not None


def test_a_refusing_broker_leaves_the_flag_down_for_the_next_request(
    billing, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks, "send_now", lambda task, args, **kw: False)
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(1)
    assert cache.get(tasks.BACKLOG_FLAG) is None


def test_the_drain_takes_the_backlog_a_batch_at_a_time(billing, monkeypatch):
    monkeypatch.setattr(triage_service, "BACKLOG_BATCH", 3)
    ids = _ingest(*range(8))  # the test's transaction never commits: nothing is sent
    assert not Mention.objects.filter(triaged_at__isnull=False).exists()
    assert triage_service.triage_backlog() == 8
    assert Mention.objects.filter(pk__in=ids, triaged_at__isnull=True).count() == 0
    assert triage_service.triage_backlog() == 0


@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_split_the_backlog_and_triage_each_mention_once(billing, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent row locks: PostgreSQL only")
    monkeypatch.setattr(tasks, "triage_on_commit", lambda ids: None)  # drained by hand below
    ids = _ingest(*range(40))
    assert Mention.objects.filter(pk__in=ids, triaged_at__isnull=True).count() == 40
    held = Mention.objects.filter(pk__in=ids).order_by("id")[:10]
    locked, release = threading.Event(), threading.Event()

    def hold_ten():
        from django.db import connections

        try:
            with transaction.atomic():
                list(held.select_for_update())
                locked.set()
                release.wait(20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_ten)
    holder.start()
    assert locked.wait(20)
    try:
        assert triage_service.triage_backlog() == 30  # skips the ten another worker holds
    finally:
        release.set()
        holder.join()
    assert triage_service.triage_backlog() == 10
    triaged = Mention.objects.filter(pk__in=ids, activities__verb="triaged").count()
    assert triaged == 40


def test_the_backlog_task_waits_a_moment_to_gather_what_arrives_meanwhile(
    billing, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.TRIAGE_GATHER_SECONDS = 0.25
    sent = []
    monkeypatch.setattr(
        tasks, "send_now", lambda task, args, **kw: sent.append((task.name, kw)) or True
    )
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(1)
    assert sent == [(tasks.triage_backlog.name, {"countdown": 0.25})]
