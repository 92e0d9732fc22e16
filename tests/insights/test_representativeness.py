import pytest
from django.http import QueryDict
from django.utils import timezone

from insights import metrics
from insights.periods import period_from
from insights.selectors import scope_get


def figures(user, department="", **subject):
    ctx = metrics.Context(
        scope=scope_get(user=user, department_slug=department),
        period=period_from(QueryDict("days=30")),
        now=timezone.now(),
        **subject,
    )
    table = metrics.representativeness(ctx)[0]
    return table, {row[0].split(" (")[0]: row[1] for row in table.rows}


@pytest.mark.django_db
def test_unique_authors_reach_and_top_author_shares(dataset, lead):
    table, values = figures(lead, "billing")

    assert values["Mentions"] == 7
    assert values["Unique authors"] == 4
    assert values["Mentions per author"] == 1.75
    assert values["Reach"] == 1260
    assert values["Share of mentions from the top 1% of authors"] == 57.1
    assert values["Share of mentions from the top 10 authors"] == 100.0


@pytest.mark.django_db
def test_share_of_the_customer_base_uses_the_setting(dataset, lead, settings):
    settings.INSIGHTS_CUSTOMER_BASE = 400

    _, values = figures(lead, "billing")

    assert values["Share of the customer base"] == 1.0  # 4 authors of 400 customers


@pytest.mark.django_db
def test_a_topic_narrows_the_subject(dataset, lead):
    _, values = figures(lead, "billing", keyword="waiting")

    assert values["Mentions"] == 1
    assert values["Unique authors"] == 1


@pytest.mark.django_db
def test_an_incident_narrows_the_subject(dataset, lead, comms, billing):
    from incidents.models import Incident, IncidentMention

    incident = Incident.objects.create(title="Double charges", declared_by=comms)
    for mention in dataset[:2] + dataset[3:4]:
        IncidentMention.objects.create(incident=incident, mention=mention)

    _, values = figures(lead, "billing", incident=incident)

    assert values["Mentions"] == 3
    assert values["Unique authors"] == 2


@pytest.mark.django_db
def test_the_verdict_says_few_voices_for_a_handful_of_authors(dataset, lead):
    table, _ = figures(lead, "billing")

    assert metrics.verdict(table).startswith("Few voices: 4 people wrote the 7 mentions")


@pytest.mark.django_db
def test_the_verdict_calls_a_loud_few_and_a_broad_wave(lead):
    table = metrics.Table("representativeness", "", ["Measure", "Value"])
    table.rows = [["Mentions", 1000], ["Unique authors", 300], [None, 3.3], [None, 9000],
                  ["top 1%", 70.0], ["top 10", 65.0], ["base", 0.015]]  # fmt: skip
    assert metrics.verdict(table).startswith("A loud few: 65.0% of the 1,000 mentions")

    table.rows[4][1], table.rows[5][1] = 4.0, 3.0
    assert metrics.verdict(table).startswith("Broad: 300 different people")
