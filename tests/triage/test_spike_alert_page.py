"""Central comms' alerts page: who sees it, and the one-click "declare incident"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from hub.models import Guideline, GuidelineVersion
from incidents.models import Incident, IncidentMention
from spokes.models import SpikeAlert, SpikeAlertMention
from tests.factories import MentionFactory


@pytest.fixture
def alert(billing):
    now = timezone.now()
    alert = SpikeAlert.objects.create(
        scope="kw:checkout", label="Keyword “checkout”", metric="volume",
        related_scopes=[f"dept:{billing.pk}"], department=billing,
        window_start=now - timedelta(hours=1), window_end=now, observed=60, baseline=2,
        baseline_std=1, z_score=40, mention_count=3, unique_authors=3, total_reach=300,
    )  # fmt: skip
    for text in ("checkout <b>broken</b>", "checkout down", "checkout awful"):
        SpikeAlertMention.objects.create(
            alert=alert, mention=MentionFactory(department=billing, text=text, reach=100)
        )
    return alert


@pytest.fixture
def holding(comms, billing):
    guideline = Guideline.objects.create(
        title="Checkout trouble", kind="holding_statement", status="approved",
        department=billing, topics=["checkout"],
    )  # fmt: skip
    version = GuidelineVersion.objects.create(
        guideline=guideline, number=1, body="We know checkout is failing and are on it.",
        approved_at=timezone.now(),
    )  # fmt: skip
    guideline.current_version = version
    guideline.save()
    return version


def test_comms_sees_open_alerts_with_escaped_samples(client, comms, alert, holding):
    client.force_login(comms)
    page = client.get("/alerts/")
    assert page.status_code == 200 and "Keyword “checkout”" in page.content.decode()
    detail = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "checkout &lt;b&gt;broken&lt;/b&gt;" in detail
    assert "We know checkout is failing and are on it." in detail  # the proposed statement


def test_department_staff_get_a_404(client, agent, alert):
    client.force_login(agent)
    assert client.get("/alerts/").status_code == 404
    assert client.get(f"/alerts/{alert.pk}/").status_code == 404
    response = client.post(f"/alerts/{alert.pk}/do/", {"action": "dismiss"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == "open"


def test_the_alerts_page_costs_a_constant_number_of_queries(
    client, comms, alert, django_assert_max_num_queries
):
    client.force_login(comms)
    with django_assert_max_num_queries(12):
        assert client.get("/alerts/").status_code == 200


def test_one_click_declares_an_incident_links_the_mentions_and_sets_the_statement(
    client, comms, alert, holding, published, django_capture_on_commit_callbacks
):
    client.force_login(comms)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/alerts/{alert.pk}/do/",
            {
                "action": "declare",
                "title": "Checkout failing",
                "severity": "major",
                "holding_statement": holding.body,
                "guideline_version_id": holding.pk,
                "use_holding": "1",
            },
        )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/incidents/{incident.pk}/"
    assert IncidentMention.objects.filter(incident=incident).count() == 3
    assert incident.holding_statement == holding.body
    assert incident.holding_guideline_version_id == holding.pk
    assert "checkout" in incident.keywords
    alert.refresh_from_db()
    assert (alert.status, alert.incident_id, alert.closed_by) == ("declared", incident.pk, comms)
    assert AuditEvent.objects.filter(action="alert.incident_declared").exists()
    assert ("alert.spike_closed", ["hub"]) in [(e, g) for e, _, g in published]


def test_a_closed_alert_cannot_be_declared_twice(client, comms, alert):
    client.force_login(comms)
    client.post(f"/alerts/{alert.pk}/do/", {"action": "dismiss", "reason": "a joke"})
    response = client.post(f"/alerts/{alert.pk}/do/", {"action": "declare", "title": "x"})
    assert response.status_code == 302
    assert not Incident.objects.exists()
    alert.refresh_from_db()
    assert alert.status == "dismissed"
