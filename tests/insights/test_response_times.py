import pytest
from django.http import QueryDict
from django.utils import timezone

from insights import metrics
from insights.periods import period_from
from insights.selectors import scope_get


def context(user, department=""):
    return metrics.Context(
        scope=scope_get(user=user, department_slug=department),
        period=period_from(QueryDict("days=7")),
        now=timezone.now(),
    )


def rows_by_first_column(table):
    return {row[0]: row for row in table.rows}


@pytest.mark.django_db
def test_first_response_median_and_p90_per_department(dataset, comms):
    tables = {t.key: t for t in metrics.response_times(context(comms))}

    billing = rows_by_first_column(tables["response_department"])["Billing"]
    support = rows_by_first_column(tables["response_department"])["Support"]
    # columns: name, mentions, answered, median, p90, ...
    assert billing[1:5] == [7, 5, 30.0, 76.0]
    assert support[1:5] == [2, 2, 5.0, 5.0]


@pytest.mark.django_db
def test_sla_compliance_counts_overdue_unanswered_as_breached(dataset, comms):
    tables = {t.key: t for t in metrics.response_times(context(comms))}

    sla = rows_by_first_column(tables["sla"])
    # name, with SLA decided, met, breached, compliance %
    assert sla["Billing"] == ["Billing", 6, 3, 3, 50.0]
    assert sla["Support"] == ["Support", 2, 2, 0, 100.0]
    assert sla["All"] == ["All", 8, 5, 3, 62.5]


@pytest.mark.django_db
def test_response_times_by_priority_show_the_sla_targets(dataset, lead):
    tables = {t.key: t for t in metrics.response_times(context(lead, "billing"))}

    normal = rows_by_first_column(tables["response_priority"])["Normal"]
    assert normal[1:5] == [7, 5, 30.0, 76.0]
    assert normal[8] is not None  # the first-response target (hub policy or default)
    assert 'class="target"' in tables["response_priority"].chart


@pytest.mark.django_db
def test_sla_targets_come_from_the_hub_policy(dataset, lead, billing):
    from hub.models import SlaPolicy

    SlaPolicy.objects.create(
        department=billing, priority=2, first_response_minutes=45, resolution_minutes=600
    )

    tables = {t.key: t for t in metrics.response_times(context(lead, "billing"))}

    normal = rows_by_first_column(tables["response_priority"])["Normal"]
    assert normal[8:10] == [45, 600]
