import pytest
from django.urls import reverse

from incidents import services
from incidents.models import IncidentFact
from tests.factories import MentionFactory


@pytest.fixture
def busy_incident(incident, comms, billing, agent, lead):
    for n in range(3):
        mention = MentionFactory(department=billing, text=f"card payment failed <b>{n}</b>")
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=mention.pk)
        services.incident_add_fact(actor=comms, incident_id=incident.pk, text=f"fact {n}")
        services.incident_draft_update(actor=comms, incident_id=incident.pk, body=f"update {n}")
        services.incident_post_message(actor=agent, incident_id=incident.pk, body=f"msg {n}")
    services.incident_add_member(actor=comms, incident_id=incident.pk, user=lead, role="Lead")
    return incident


def test_the_incident_page_shows_every_panel_and_subscribes_live(client, agent, busy_incident):
    client.force_login(agent)
    response = client.get(reverse("incidents:detail", args=[busy_incident.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for panel in (
        "header",
        "holding",
        "team",
        "facts",
        "updates",
        "discussion",
        "mentions",
        "outreach",
    ):
        assert f'id="panel-{panel}"' in html
    assert 'data-live-kind="incident"' in html and f'data-live-key="{busy_incident.pk}"' in html
    assert "&lt;b&gt;0&lt;/b&gt;" in html and "<b>0</b>" not in html  # social text escaped
    assert "js/incidents.js" in html


def test_the_page_costs_a_constant_number_of_queries(
    client, comms, busy_incident, billing, django_assert_max_num_queries
):
    client.force_login(comms)
    url = reverse("incidents:detail", args=[busy_incident.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for n in range(10):
        mention = MentionFactory(department=billing, text=f"card {n}")
        services.incident_link_mention(
            actor=comms, incident_id=busy_incident.pk, mention_id=mention.pk
        )
        services.incident_add_fact(actor=comms, incident_id=busy_incident.pk, text=f"more {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_outsiders_get_a_404_for_the_page_and_its_panels(client, other_agent, incident):
    client.force_login(other_agent)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    assert client.get(reverse("incidents:panel", args=[incident.pk, "facts"])).status_code == 404
    response = client.post(reverse("incidents:action", args=[incident.pk, "fact"]), {"text": "x"})
    assert response.status_code == 404 and not IncidentFact.objects.exists()


def test_adding_a_fact_with_htmx_returns_the_fresh_panel(client, comms, incident):
    client.force_login(comms)
    response = client.post(
        reverse("incidents:action", args=[incident.pk, "fact"]),
        {"text": "Bank confirms", "source": "Bank"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert (
        'id="panel-facts"' in response.content.decode()
        and "Bank confirms" in response.content.decode()
    )


def test_bad_input_is_a_4xx_naming_the_field(client, comms, incident):
    client.force_login(comms)
    response = client.post(
        reverse("incidents:action", args=[incident.pk, "fact"]),
        {"text": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400 and response.content.decode().startswith("Text:")
    assert client.get(reverse("incidents:panel", args=[incident.pk, "nope"])).status_code == 404


def test_declaring_from_the_list_page(client, comms, billing):
    client.force_login(comms)
    response = client.post(
        reverse("incidents:declare"),
        {
            "title": "Site down",
            "severity": "critical",
            "departments": ["billing"],
            "keywords": "down",
        },
    )
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Site down" in page.content.decode()
    assert "Site down" in client.get(reverse("incidents:list")).content.decode()


def test_a_mention_page_fragment_links_the_mention(client, comms, incident, mention):
    client.force_login(comms)
    fragment = client.get(reverse("incidents:for_mention", args=[mention.pk])).content.decode()
    link_url = reverse("incidents:action", args=[incident.pk, "link"])
    assert link_url in fragment
    response = client.post(link_url, {"mention_id": mention.pk, "from_mention": mention.pk})
    assert response.url == reverse("spokes:mention", args=[mention.pk])
    assert incident.links.filter(mention=mention).exists()
