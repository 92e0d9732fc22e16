"""Spike detection: quiet on ordinary daily and weekly variation, loud on a burst.

History is generated into the hourly counters (what triage writes), with a daily rhythm, a
quieter weekend and Poisson noise; the current hour arrives as real mentions through triage.
"""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from spokes import spikes
from spokes.models import Mention, SpikeAlert, SpikeCounter
from spokes.triage_service import triage_batch
from tests.factories import AuthorFactory, MentionFactory

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # a Wednesday afternoon
HOUR = timedelta(hours=1)


def expected_rate(moment: datetime, peak: float) -> float:
    """Quiet nights, busy afternoons, weekends at 60%."""
    daily = 0.15 + 0.85 * math.exp(-(((moment.hour + moment.minute / 60) - 14) ** 2) / 18)
    weekly = 0.6 if moment.weekday() >= 5 else 1.0
    return peak * daily * weekly


def draw(rng: random.Random, rate: float) -> int:
    noisy = rate * rng.uniform(0.85, 1.15)  # day-to-day wobble on top of Poisson noise
    return max(0, round(rng.gauss(noisy, math.sqrt(max(noisy, 1e-9)))))


def seed_history(billing, *, start: datetime, end: datetime, seed=7) -> dict:
    """Counters for every hour in [start, end): returns the rates used per scope."""
    rng = random.Random(seed)
    scopes = {"all": 40.0, f"dept:{billing.pk}": 20.0, "flag:outage": 2.0, "kw:checkout": 1.5}
    rows = []
    hour = start
    while hour < end:
        for scope, peak in scopes.items():
            n = draw(rng, expected_rate(hour, peak))
            negative = sum(1 for _ in range(n) if rng.random() < 0.3)
            if n:
                rows.append(SpikeCounter(scope=scope, hour=hour, mentions=n, negative=negative))
        hour += HOUR
    SpikeCounter.objects.bulk_create(rows)
    return scopes


@pytest.fixture
def history(billing, support):
    support.is_default = True
    support.save()
    billing.routing_keywords = ["invoice", "checkout"]
    billing.save()
    start = spikes.hour_of(NOW) - timedelta(weeks=3)
    return seed_history(billing, start=start, end=spikes.hour_of(NOW))


def _arrive(texts_and_authors, *, minutes_ago=range(0, 30)):
    ids = []
    minutes = list(minutes_ago)
    for i, (text, author) in enumerate(texts_and_authors):
        moment = NOW - timedelta(minutes=minutes[i % len(minutes)])
        ids.append(
            MentionFactory(
                department=None, text=text, author=author, reach=author.followers,
                posted_at=moment, received_at=moment,
            ).pk
        )  # fmt: skip
    return ids


def test_ordinary_variation_over_a_whole_week_raises_nothing(billing, support):
    """Every hour of a generated week, judged against the weeks before it: no spike."""
    billing_scope = f"dept:{billing.pk}"
    start = spikes.hour_of(NOW) - timedelta(weeks=4)
    seed_history(billing, start=start, end=start + timedelta(weeks=4), seed=11)
    judged, spiking = 0, []
    for offset in range(7 * 24):
        hour = start + timedelta(weeks=3) + timedelta(hours=offset)
        # the hour is complete: the rolling hour is that hour (fraction 1)
        found = spikes.evaluate(
            ["all", billing_scope, "flag:outage", "kw:checkout"], hour=hour, fraction=1.0
        )
        judged += 1
        spiking += [(hour, f["scope"], f["z"]) for f in found]
    assert judged == 7 * 24
    assert spiking == []


def test_a_normal_hour_of_real_mentions_raises_no_alert(history, billing, published):
    authors = [AuthorFactory(followers=100) for _ in range(12)]
    texts = ["question about my invoice", "thanks for the help", "is the shop open today?"]
    ids = _arrive([(texts[i % 3], authors[i % 12]) for i in range(12)])
    triage_batch(ids, now=NOW)
    assert not SpikeAlert.objects.exists()
    assert not [e for e, *_ in published if e.startswith("alert.")]


def test_a_burst_about_one_topic_raises_one_alert_with_authors_and_reach(
    history, billing, comms, published, django_capture_on_commit_callbacks
):
    authors = [AuthorFactory(followers=1000 + i) for i in range(40)]
    loud = AuthorFactory(followers=250_000)
    burst = [("Checkout is broken again, this is useless and infuriating", a) for a in authors]
    burst += [("Checkout STILL broken. Terrible. Fix it!", loud)] * 20  # one loud voice
    ids = _arrive(burst)
    half = len(ids) // 2
    with django_capture_on_commit_callbacks(execute=True):
        triage_batch(ids[:half], now=NOW)
        triage_batch(ids[half:], now=NOW)
    alert = SpikeAlert.objects.get()
    assert alert.scope == "kw:checkout" and alert.status == "open"
    assert f"dept:{billing.pk}" in alert.related_scopes or alert.department_id == billing.pk
    linked = Mention.objects.filter(pk__in=alert.links.values("mention_id"))
    assert alert.mention_count == linked.count() == 60
    assert alert.unique_authors == 41
    assert alert.total_reach == sum(a.followers for a in authors) + 250_000
    assert alert.top_author_share == pytest.approx(24 / 60, abs=0.001)  # busiest 5 of 41: 20 + 4
    assert alert.z_score >= spikes.Z_THRESHOLD and alert.observed >= spikes.MIN_COUNT
    raised = [(p, g) for e, p, g in published if e == "alert.spike"]
    assert len(raised) == 1
    payload, groups = raised[0]
    assert groups == ["hub"]
    # raised by the first batch (30 authors, one mention each), refreshed by the second
    assert (payload["mention_count"], payload["unique_authors"]) == (30, 30)
    updated = [p for e, p, _ in published if e == "alert.spike_updated"]
    assert [(p["mention_count"], p["unique_authors"]) for p in updated] == [(60, 41)]
    assert payload["url"] == f"/alerts/{alert.pk}/"
    assert comms.notifications.filter(kind="alert.spike").count() == 1


def test_an_open_alert_is_refreshed_not_repeated(
    history, published, django_capture_on_commit_callbacks
):
    authors = [AuthorFactory(followers=10) for _ in range(80)]
    ids = _arrive([("checkout broken, awful", a) for a in authors])
    with django_capture_on_commit_callbacks(execute=True):
        triage_batch(ids[:40], now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        triage_batch(ids[40:], now=NOW)
    assert SpikeAlert.objects.count() == 1
    alert = SpikeAlert.objects.get()
    assert alert.mention_count == 80 and alert.unique_authors == 80
    assert [e for e, *_ in published if e.startswith("alert.")] == [
        "alert.spike",
        "alert.spike_updated",
    ]


def test_no_verdict_without_enough_history(billing, support):
    support.is_default = True
    support.save()
    authors = [AuthorFactory(followers=10) for _ in range(60)]
    triage_batch(_arrive([("checkout broken, awful", a) for a in authors]), now=NOW)
    assert not SpikeAlert.objects.exists()
