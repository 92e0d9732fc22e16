import pytest
from django.urls import reverse

from insights.models import Snapshot
from insights.snapshots import snapshots_refresh
from tests.factories import MentionFactory

URL = reverse("insights:dashboard")


@pytest.mark.django_db
def test_refreshing_computes_every_department_and_all_for_each_preset(dataset, billing, support):
    assert snapshots_refresh() == 3 * 3
    assert snapshots_refresh() == 9  # run twice: replaced, not duplicated

    keys = set(Snapshot.objects.values_list("scope_key", "days"))
    assert keys == {
        (k, d) for k in ("all", f"d{billing.pk}", f"d{support.pk}") for d in (7, 30, 90)
    }


@pytest.mark.django_db
def test_the_page_shows_the_snapshot_of_a_preset_period(client, lead, dataset, billing):
    snapshots_refresh(presets=(7,))
    MentionFactory(department=billing)  # after the snapshot: not counted until the next one
    client.force_login(lead)

    html = client.get(URL, {"days": "7"}).content.decode()

    assert "Figures as of" in html
    assert "<b>7</b> mentions" in html
    live = client.get(URL, {"days": "7", "keyword": "refund"}).content.decode()
    assert "Figures computed just now" in live
    assert "<b>8</b> mentions" in live


@pytest.mark.django_db
def test_a_lead_never_gets_the_all_departments_snapshot(client, lead, dataset):
    snapshots_refresh(presets=(7,))
    client.force_login(lead)

    html = client.get(URL, {"days": "7"}).content.decode()

    assert "Support" not in html
    assert "<b>7</b> mentions" in html  # billing's snapshot (the lead's only department)


@pytest.mark.django_db
def test_the_csv_of_a_snapshot_matches_its_page(client, comms, dataset):
    from tests.insights.test_dashboard_page import EXPORT, table_cells

    snapshots_refresh(presets=(7,))
    client.force_login(comms)
    page = client.get(URL, {"days": "7"}).content.decode()

    csv_rows = client.get(EXPORT, {"days": "7", "metric": "sla"}).content.decode().splitlines()

    assert [line.split(",") for line in csv_rows[1:]] == table_cells(page, "sla")
