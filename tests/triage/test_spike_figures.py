"""A spike alert's figures grow with its links, from the new links alone.

An alert open through a crisis links every mention of the wave: its figures (mentions, unique
authors, total reach, the busiest tenth's share) are kept up to date from each batch's new
links, never by reading all its links again. Each test holds them to the figures computed
from scratch over the links.
"""

import importlib
import math
import random
from collections import defaultdict
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from spokes import spikes
from spokes.models import Mention, SpikeAlert, SpikeAlertAuthor, SpikeAlertMention, SpikeStatus
from spokes.triage_service import triage_batch
from tests.factories import AuthorFactory, MentionFactory
from tests.triage.test_spike_detection import NOW, _arrive, seed_history


def from_scratch(alert: SpikeAlert) -> dict:
    """The figures over every link of the alert, as a report would count them."""
    per_author: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    count = 0
    for author_id, reach in SpikeAlertMention.objects.filter(alert=alert).values_list(
        "mention__author_id", "mention__reach"
    ):
        per_author[author_id][0] += 1
        per_author[author_id][1] = max(per_author[author_id][1], reach)
        count += 1
    busiest = sorted((n for n, _ in per_author.values()), reverse=True)
    top = busiest[: max(1, math.ceil(len(busiest) / 10))]
    return {
        "mention_count": count,
        "unique_authors": len(per_author),
        "total_reach": sum(reach for _, reach in per_author.values()),
        "top_author_share": round(sum(top) / count, 3) if count else 0.0,
    }


def figures(alert: SpikeAlert) -> dict:
    alert.refresh_from_db()
    return {name: getattr(alert, name) for name in from_scratch(alert)}


def _alert(**fields) -> SpikeAlert:
    now = timezone.now()
    return SpikeAlert.objects.create(
        scope=fields.pop("scope", "kw:checkout"),
        label="Checkout",
        metric="volume",
        window_start=now - timedelta(hours=1),
        window_end=now,
        observed=50,
        baseline=5,
        baseline_std=2,
        z_score=6,
        **fields,
    )


def _link(alert, mentions) -> None:
    """What triage does with a batch's mentions in the alert's scope."""
    locked = SpikeAlert.objects.select_for_update().get(pk=alert.pk)
    spikes._add_links(locked, [(m.pk, m.author_id, m.reach) for m in mentions])
    locked.save(update_fields=spikes.FIGURES)


@pytest.mark.django_db(transaction=False)
def test_figures_match_the_links_after_every_batch_of_a_random_wave(billing):
    """Loud authors and many single voices, an author's reach growing and shrinking between
    posts, mentions linked twice (in one batch and again later): after each batch the kept
    figures equal the ones counted over every link."""
    rng = random.Random(2026)
    authors = [AuthorFactory(followers=10) for _ in range(40)]
    weights = [25 if i < 3 else 1 for i in range(len(authors))]  # three loud voices
    mentions = [
        MentionFactory(
            department=billing,
            author=rng.choices(authors, weights)[0],
            reach=rng.choice([0, 5, 120, 3_000, 250_000]),
        )
        for _ in range(300)
    ]
    alert = _alert()
    linked: set[int] = set()
    for _ in range(25):
        batch = rng.sample(mentions, rng.randint(1, 30))
        batch += rng.sample(batch, min(3, len(batch)))  # repeated within the batch
        if linked:  # and some linked by an earlier batch
            batch += [m for m in mentions if m.pk in linked][: rng.randint(0, 5)]
        _link(alert, batch)
        linked |= {m.pk for m in batch}
        assert figures(alert) == from_scratch(alert)
        assert alert.mention_count == len(linked)
    assert alert.unique_authors > 10 and alert.top_author_share > 0.1  # a wave, not a toy
    counts = SpikeAlertAuthor.objects.filter(alert=alert)
    assert sum(row.mentions for row in counts) == len(linked)
    assert alert.author_counts == {
        str(n): sum(1 for row in counts if row.mentions == n)
        for n in sorted({row.mentions for row in counts})
    }


def test_linking_a_batch_never_reads_the_alert_s_earlier_links(billing):
    """The work of a batch is the batch's: the statements that touch the links only insert
    (a batch used to read every link again: 0.5 s at 200,000 links), whatever the alert
    already holds."""
    authors = [AuthorFactory() for _ in range(20)]
    alert = _alert()
    _link(alert, [MentionFactory(department=billing, author=authors[i % 20]) for i in range(300)])
    batch = [MentionFactory(department=billing, author=authors[i % 7]) for i in range(10)]
    with CaptureQueriesContext(connection) as captured:
        _link(alert, batch)
    on_links = [
        q["sql"] for q in captured.captured_queries if "spokes_spikealertmention" in q["sql"]
    ]
    assert on_links and all(sql.lstrip().upper().startswith("INSERT") for sql in on_links)
    assert len(captured.captured_queries) <= 5  # lock, links, authors read, write, alert
    assert figures(alert) == from_scratch(alert)
    assert alert.mention_count == 310


def test_samples_are_the_widest_reaching_mentions_then_the_newest(billing):
    alert = _alert()
    reaches = [10, 900, 900, 5, 70_000, 900, 0]
    mentions = [MentionFactory(department=billing, reach=r) for r in reaches]
    _link(alert, mentions)
    expected = sorted(mentions, key=lambda m: (-m.reach, -m.pk))
    assert [m.pk for m in spikes.samples(alert, 4)] == [m.pk for m in expected[:4]]
    Mention.objects.filter(pk=expected[0].pk).delete()  # pruned: its link goes with it
    assert [m.pk for m in spikes.samples(alert, 2)] == [m.pk for m in expected[1:3]]


def test_a_burst_through_triage_keeps_the_figures_of_its_links(
    billing, support, django_capture_on_commit_callbacks
):
    """The whole path: triage raises the alert, refreshes it batch after batch with the same
    loud authors coming back, and its figures stay those of its links."""
    support.is_default = True
    support.save()
    billing.routing_keywords = ["invoice", "checkout"]
    billing.save()
    seed_history(billing, start=spikes.hour_of(NOW) - timedelta(weeks=3), end=spikes.hour_of(NOW))
    voices = [AuthorFactory(followers=100 + i) for i in range(30)]
    loud = AuthorFactory(followers=90_000)
    for round_ in range(4):
        wave = [("Checkout broken again, awful", voices[(round_ * 7 + i) % 30]) for i in range(20)]
        wave += [("CHECKOUT STILL DOWN, terrible", loud)] * 5
        with django_capture_on_commit_callbacks(execute=True):
            triage_batch(_arrive(wave), now=NOW)
    alert = SpikeAlert.objects.get()
    assert figures(alert) == from_scratch(alert)
    assert alert.mention_count == 100 and alert.unique_authors == 31
    assert alert.total_reach == sum(a.followers for a in voices) + 90_000


def test_an_alert_closed_while_a_batch_refreshes_it_stays_closed(
    billing, support, comms, monkeypatch, django_capture_on_commit_callbacks
):
    """Comms dismisses the alert just after a triage batch read the open alerts: the batch
    must not write its stale copy back (a whole-row save reopened it)."""
    support.is_default = True
    support.save()
    billing.routing_keywords = ["checkout"]
    billing.save()
    seed_history(billing, start=spikes.hour_of(NOW) - timedelta(weeks=3), end=spikes.hour_of(NOW))
    authors = [AuthorFactory(followers=10) for _ in range(60)]
    with django_capture_on_commit_callbacks(execute=True):
        triage_batch(_arrive([("checkout broken, awful", a) for a in authors[:30]]), now=NOW)
    alert = SpikeAlert.objects.get()
    read_open = SpikeAlert.objects.filter

    def read_then_dismiss(*args, **kwargs):
        found = read_open(*args, **kwargs)
        if kwargs == {"status": SpikeStatus.OPEN}:
            found = list(found)  # what the batch saw
            spikes.spike_alert_dismiss(actor=comms, alert_id=alert.pk, reason="known")
        return found

    monkeypatch.setattr(SpikeAlert.objects, "filter", read_then_dismiss)
    with django_capture_on_commit_callbacks(execute=True):
        triage_batch(_arrive([("checkout broken, awful", a) for a in authors[30:]]), now=NOW)
    monkeypatch.undo()
    alert.refresh_from_db()
    assert alert.status == SpikeStatus.DISMISSED and alert.closed_by == comms
    assert alert.mention_count == 30 and figures(alert) == from_scratch(alert)


def test_the_migration_counts_existing_alerts_from_their_links(billing):
    """Alerts raised before the figures were kept: the migration reads their links once."""
    migration = importlib.import_module("spokes.migrations.0008_spike_alert_figures")
    authors = [AuthorFactory() for _ in range(12)]
    alert = _alert(mention_count=999)
    mentions = [
        MentionFactory(department=billing, author=authors[i % 12 if i % 3 else 0], reach=i * 7)
        for i in range(50)
    ]
    SpikeAlertMention.objects.bulk_create(
        [SpikeAlertMention(alert=alert, mention=m) for m in mentions]
    )
    # The function asks its schema editor for the connection only (SQLite's cannot open
    # inside the test's transaction).
    migration.figures_from_links(apps, SimpleNamespace(connection=connection))
    assert figures(alert) == from_scratch(alert)
    assert alert.mention_count == 50
    assert [m.pk for m in spikes.samples(alert, 3)] == [m.pk for m in mentions[::-1][:3]]
    more = [MentionFactory(department=billing, author=authors[5], reach=10_000)]
    _link(alert, more)  # and from then on kept up to date
    assert figures(alert) == from_scratch(alert)
