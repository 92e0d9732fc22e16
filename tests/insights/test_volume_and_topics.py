from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from insights import metrics
from insights.models import DailyVolume, HourlyVolume
from insights.periods import period_from
from insights.rollups import rollups_refresh
from insights.selectors import scope_get


def context(user, department="", days=7):
    return metrics.Context(
        scope=scope_get(user=user, department_slug=department),
        period=period_from(QueryDict(f"days={days}")),
        now=timezone.now(),
    )


@pytest.mark.django_db
def test_rollup_counts_mentions_per_day_department_and_source(dataset, billing):
    rows = DailyVolume.objects.filter(department=billing)

    assert sum(r.mentions for r in rows) == 7
    assert sum(r.negative for r in rows) == 5
    assert sum(r.positive for r in rows) == 1
    assert sum(r.neutral for r in rows) == 1
    assert sum(h.mentions for h in HourlyVolume.objects.filter(department=billing)) == 7


@pytest.mark.django_db
def test_refreshing_the_rollup_twice_counts_once(dataset, billing):
    rollups_refresh(days=7)

    assert sum(r.mentions for r in DailyVolume.objects.filter(department=billing)) == 7


@pytest.mark.django_db
def test_volume_by_source_and_department_sum_to_the_mentions(dataset, comms):
    tables = {t.key: t for t in metrics.volume(context(comms))}

    assert len(tables["volume_source"].rows) == 7  # one row per day
    assert sum(sum(r[1:]) for r in tables["volume_source"].rows) == 9
    departments = tables["volume_department"]
    assert departments.columns[1:] == ["Billing", "Support"]
    assert sum(r[1] for r in departments.rows) == 7
    assert sum(r[2] for r in departments.rows) == 2
    sentiment = tables["sentiment"]
    assert sum(r[1] for r in sentiment.rows) == 5  # negative (support's have no score)


@pytest.mark.django_db
def test_a_lead_sees_only_their_department_in_volume(dataset, lead):
    tables = {t.key: t for t in metrics.volume(context(lead))}

    assert tables["volume_department"].columns[1:] == ["Billing"]


@pytest.mark.django_db
def test_busiest_hours_against_staffed_business_hours(dataset, lead, billing):
    from hub.models import BusinessHours

    for weekday in range(5):  # Monday to Friday, 09:00-17:00 UTC
        BusinessHours.objects.create(
            department=billing, weekday=weekday, opens="09:00", closes="17:00"
        )

    table = metrics.busiest_hours(context(lead, "billing"))[0]

    assert sum(r[1] for r in table.rows) == 7
    staffed = {r[0]: r[3] for r in table.rows}
    assert staffed["10"] == round(100 * 5 / 7, 1)
    assert staffed["03"] == 0.0
    assert 'class="staffed"' in table.chart


@pytest.mark.django_db
def test_top_tags_flags_and_words(dataset, lead):
    from spokes.models import Tag

    refund = Tag.objects.create(name="refund")
    for mention in dataset[:3]:
        mention.tags.add(refund)

    tables = {t.key: t for t in metrics.topics(context(lead, "billing"))}

    assert tables["topics_tags"].rows == [["refund", 3]]
    assert tables["topics_flags"].rows == [["legal", 1]]
    words = dict(tables["topics_terms"].rows)
    assert words["refund"] == 5  # counted once per mention
    assert "my" not in words


@pytest.mark.django_db
def test_mentions_outside_the_period_are_left_out(dataset, lead, billing):
    from tests.factories import MentionFactory

    old = timezone.now() - timedelta(days=20)
    MentionFactory(department=billing, received_at=old, posted_at=old)
    rollups_refresh(days=30)

    tables = {t.key: t for t in metrics.response_times(context(lead, "billing"))}

    assert tables["response_department"].rows[0][1] == 7
