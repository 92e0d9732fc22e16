import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse

URL = reverse("insights:dashboard")
EXPORT = reverse("insights:export")


def table_cells(html: str, key: str) -> list[list[str]]:
    """The body rows of ``<table id="table-KEY">``, as the page shows them."""
    body = re.search(
        rf'<table class="numbers" id="table-{key}">.*?<tbody>(.*?)</tbody>', html, re.S
    )
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = [unescape(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(["" if c == "—" else c for c in cells])
    return rows


@pytest.mark.django_db
def test_comms_sees_every_department(client, comms, dataset):
    client.force_login(comms)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert {r[0] for r in table_cells(html, "response_department")} == {"Billing", "Support"}
    assert html.count("<svg") >= 10


@pytest.mark.django_db
def test_a_lead_sees_only_their_departments(client, lead, dataset):
    client.force_login(lead)

    html = client.get(URL).content.decode()

    assert [r[0] for r in table_cells(html, "response_department")] == ["Billing"]
    assert "Support" not in html


@pytest.mark.django_db
def test_another_departments_figures_are_a_404_for_a_lead(client, lead, dataset):
    client.force_login(lead)

    assert client.get(URL, {"department": "support"}).status_code == 404
    assert client.get(EXPORT, {"department": "support", "metric": "sla"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent", "other_agent", "outsider"])
def test_agents_and_outsiders_get_a_404(client, who, request, dataset):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 404
    assert client.get(EXPORT, {"metric": "sla"}).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [
        ({"days": "14"}, "days"),
        ({"days": "abc"}, "days"),
        ({"start": "2026-13-01", "end": "2026-01-31"}, "start"),
        ({"start": "2026-01-01"}, "end"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "end"),
        ({"tag": "no spaces!"}, "tag"),
        ({"incident": "x"}, "incident"),
    ],
)
def test_bad_period_or_subject_is_a_400_naming_the_field(client, lead, dataset, params, field):
    client.force_login(lead)

    response = client.get(URL, params)

    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert client.get(EXPORT, {**params, "metric": "sla"}).content.decode().startswith(field)


@pytest.mark.django_db
def test_custom_dates_are_accepted(client, lead, dataset):
    from django.utils import timezone

    client.force_login(lead)
    today = timezone.now().date().isoformat()

    response = client.get(URL, {"start": "2026-01-01", "end": today})

    assert response.status_code == 200


@pytest.mark.django_db
def test_unknown_metric_is_a_400_naming_the_field(client, lead, dataset):
    client.force_login(lead)

    response = client.get(EXPORT, {"metric": "nope"})

    assert response.status_code == 400
    assert response.content.decode().startswith("metric:")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "metric",
    ["response_department", "response_priority", "sla", "volume_source", "sentiment", "hours",
     "representativeness", "topics_terms", "spend_kind", "agents"],
)  # fmt: skip
def test_csv_export_matches_the_table_on_the_page(client, comms, dataset, metric):
    client.force_login(comms)
    page = client.get(URL, {"days": "7"}).content.decode()

    response = client.get(EXPORT, {"days": "7", "metric": metric})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == table_cells(page, metric)
    assert len(rows[0]) > 1


@pytest.mark.django_db
def test_the_csv_link_keeps_the_chosen_scope(client, lead, dataset):
    client.force_login(lead)

    html = client.get(URL, {"department": "billing", "days": "7"}).content.decode()

    assert "export.csv?department=billing&amp;days=7&amp;metric=sla" in html


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_data(
    client, comms, dataset, django_assert_max_num_queries
):
    from insights.rollups import rollups_refresh
    from tests.factories import DepartmentFactory, MentionFactory

    client.force_login(comms)
    client.get(URL)  # warm caches (sessions, content types)
    with django_assert_max_num_queries(30) as small:
        client.get(URL)
    for n in range(6):
        MentionFactory.create_batch(3, department=DepartmentFactory(slug=f"more-{n}"))
    rollups_refresh(days=2)

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_a_reader_outside_utc_is_told_the_days_are_utc_days(client, comms, dataset):
    """The daily figures are whole UTC days whatever the reader's zone; a reader in Tokyo is
    told, a reader in UTC is not bothered with it."""
    client.force_login(comms)
    in_utc = client.get(URL)
    assert in_utc.status_code == 200 and 'id="utc-days"' not in in_utc.content.decode()
    comms.time_zone = "Asia/Tokyo"
    comms.save(update_fields=["time_zone"])
    in_tokyo = client.get(URL)
    assert in_tokyo.status_code == 200
    assert "Days are counted from midnight to midnight UTC." in in_tokyo.content.decode()
