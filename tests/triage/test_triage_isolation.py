"""One mention that makes triage fail holds back no other: the batch is triaged one mention at
a time, the failing one is marked for people to triage; a fault on every path marks nothing."""

import pytest
from django.db import OperationalError

from spokes import tasks, triage
from spokes.models import Activity, Mention
from tests.factories import MentionFactory


@pytest.fixture
def poison(monkeypatch):
    """A scorer with a bug that one text in the world triggers."""
    real = triage.sentiment

    def sentiment(text):
        if "POISON" in text:
            raise ValueError("scorer bug")
        return real(text)

    monkeypatch.setattr(triage, "sentiment", sentiment)


def _mentions(billing, texts):
    return [MentionFactory(department=billing, text=t) for t in texts]


TEXTS = ["refund please", "POISON pill", "love the new app", "card charged twice, furious"]


@pytest.mark.parametrize("path", ["backlog", "task"])
def test_a_mention_that_breaks_triage_is_marked_and_the_rest_are_triaged(
    billing, poison, published, django_capture_on_commit_callbacks, caplog, path
):
    mentions = _mentions(billing, TEXTS)
    with django_capture_on_commit_callbacks(execute=True):
        if path == "backlog":
            assert tasks.drain_backlog() == 4
        else:
            assert tasks.triage_mentions.delay([m.pk for m in mentions]).get() == 4
    rows = Mention.objects.in_bulk([m.pk for m in mentions])
    assert all(row.triaged_at is not None for row in rows.values())  # the backlog is clear
    bad = rows[mentions[1].pk]
    assert bad.sentiment is None and bad.sla_due_at is None
    assert {rows[m.pk].sentiment is not None for m in mentions if m is not mentions[1]} == {True}
    verbs = dict(Activity.objects.values_list("mention_id", "verb"))
    assert verbs.pop(bad.pk) == "triage_failed"
    assert set(verbs.values()) == {"triaged"}
    reason = Activity.objects.get(verb="triage_failed").data["reason"]
    assert "ValueError" in reason and "by hand" in reason
    told = [p["ids"] for e, p, _ in published if e == "mention.triaged"]
    assert [bad.pk] in told  # the queues show it now
    assert "scorer bug" in caplog.text
    assert tasks.drain_backlog() == 0  # nothing left to retry


def test_a_fault_on_every_path_marks_nothing_and_is_raised(billing, monkeypatch):
    mentions = _mentions(billing, ["refund please", "love it"])

    def broken(text):
        raise ValueError("scorer bug")

    monkeypatch.setattr(triage, "sentiment", broken)
    with pytest.raises(ValueError, match="scorer bug"):
        tasks.drain_backlog()
    with pytest.raises(ValueError, match="scorer bug"):
        tasks.triage_mentions.apply(args=[[m.pk for m in mentions]]).get()
    assert not Mention.objects.filter(triaged_at__isnull=False).exists()
    assert not Activity.objects.exists()
    monkeypatch.undo()  # the fix is deployed: the same mentions are triaged as usual
    assert tasks.drain_backlog() == 2
    assert set(Activity.objects.values_list("verb", flat=True)) == {"triaged"}


def test_a_mention_failing_alone_is_left_for_a_later_batch(billing, poison):
    [bad] = _mentions(billing, ["POISON alone"])
    with pytest.raises(ValueError):
        tasks.drain_backlog()  # nothing to tell a bad mention from a bad day: retried later
    assert Mention.objects.get(pk=bad.pk).triaged_at is None
    _mentions(billing, ["refund please"])
    assert tasks.drain_backlog() == 2  # with company, it is found out and marked
    assert Activity.objects.get(mention=bad).verb == "triage_failed"


def test_a_database_outage_is_retried_whole_not_blamed_on_a_mention(billing, monkeypatch):
    _mentions(billing, TEXTS[:2])

    def gone(text):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(triage, "sentiment", gone)
    with pytest.raises(OperationalError):
        tasks.drain_backlog()
    assert not Activity.objects.exists()
    assert Mention.objects.filter(triaged_at__isnull=True).count() == 2
