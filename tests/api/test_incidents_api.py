"""Incidents through the API: a key sees the incidents involving its departments (404 for
others) and contributes facts, draft updates and linked mentions through the services."""

import pytest

from accounts.models import AuditEvent
from incidents import services
from incidents.models import IncidentFact, IncidentMention, IncidentUpdate
from tests.factories import MentionFactory


@pytest.fixture
def incident(comms, billing):
    return services.incident_declare(
        actor=comms, title="Card payments failing", departments=[billing], keywords=["card"]
    )


@pytest.fixture
def foreign_incident(comms, support):
    return services.incident_declare(actor=comms, title="Parcels late", departments=[support])


def _error(response, status_code, code):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


# --- reading --------------------------------------------------------------------------------
def test_a_key_lists_only_incidents_involving_its_departments(
    billing_api, incident, foreign_incident
):
    response = billing_api.get("/api/v1/incidents/")
    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [incident.pk]
    assert body["results"][0]["departments"] == ["billing"]
    assert body["next_cursor"] is None


def test_central_comms_lists_every_incident(comms_api, incident, foreign_incident):
    ids = [row["id"] for row in comms_api.get("/api/v1/incidents/").json()["results"]]
    assert ids == [foreign_incident.pk, incident.pk]


def test_the_list_filters_by_status_and_openness(billing_api, comms, billing, incident):
    resolved = services.incident_declare(actor=comms, title="Old", departments=[billing])
    services.incident_resolve(actor=comms, incident_id=resolved.pk)

    def ids(query):
        return [r["id"] for r in billing_api.get(f"/api/v1/incidents/{query}").json()["results"]]

    assert ids("?status=resolved") == [resolved.pk]
    assert ids("?open=true") == [incident.pk]
    assert ids("?open=false") == [resolved.pk]
    assert "open" in _error(billing_api.get("/api/v1/incidents/?open=-5"), 400, "invalid")["fields"]
    assert ids("?status=") == [resolved.pk, incident.pk]
    assert (
        "status" in _error(billing_api.get("/api/v1/incidents/?status=x"), 400, "invalid")["fields"]
    )


def test_the_list_pages_with_a_cursor(billing_api, comms, billing, incident):
    later = services.incident_declare(actor=comms, title="Second", departments=[billing])
    first = billing_api.get("/api/v1/incidents/?page_size=1").json()
    assert [r["id"] for r in first["results"]] == [later.pk]
    second = billing_api.get(f"/api/v1/incidents/?page_size=1&cursor={first['next_cursor']}")
    assert [r["id"] for r in second.json()["results"]] == [incident.pk]


def test_the_detail_shows_team_facts_holding_statement_updates_and_linked_count(
    billing_api, comms, incident, mention, foreign_mention
):
    services.incident_add_fact(actor=comms, incident_id=incident.pk, text="Acquirer down")
    services.incident_set_holding_statement(
        actor=comms, incident_id=incident.pk, text="We are on it."
    )
    update = services.incident_draft_update(actor=comms, incident_id=incident.pk, body="Fixing")
    services.incident_approve_update(actor=comms, incident_id=incident.pk, update_id=update.pk)
    for linked in (mention, foreign_mention):
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=linked.pk)
    response = billing_api.get(f"/api/v1/incidents/{incident.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Card payments failing" and body["status"] == "investigating"
    assert [m["username"] for m in body["team"]] == ["comms"]
    assert [f["text"] for f in body["facts"]] == ["Acquirer down"]
    assert body["holding_statement"]["text"] == "We are on it."
    assert body["holding_statement"]["version"] == 1
    assert body["holding_statement"]["set_by"] == "comms"
    assert [(u["body"], u["status"]) for u in body["updates"]] == [("Fixing", "approved")]
    assert body["linked_mentions"] == 2


def test_the_detail_costs_a_constant_number_of_queries(
    billing_api, comms, incident, django_assert_max_num_queries
):
    for n in range(5):
        services.incident_add_fact(actor=comms, incident_id=incident.pk, text=f"Fact {n}")
        services.incident_draft_update(actor=comms, incident_id=incident.pk, body=f"Update {n}")
    with django_assert_max_num_queries(16):
        body = billing_api.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert len(body["facts"]) == 5 and len(body["updates"]) == 5


def test_another_departments_incident_is_a_404_everywhere(billing_api, foreign_incident, mention):
    base = f"/api/v1/incidents/{foreign_incident.pk}"
    calls = [
        ("get", f"{base}/", None),
        ("get", f"{base}/facts/", None),
        ("post", f"{base}/facts/", {"text": "x"}),
        ("get", f"{base}/updates/", None),
        ("post", f"{base}/updates/", {"body": "x"}),
        ("get", f"{base}/mentions/", None),
        ("post", f"{base}/mentions/", {"mention_ids": [mention.pk]}),
    ]
    for method, path, body in calls:
        _error(getattr(billing_api, method)(path, body, format="json"), 404, "not_found")
    assert not IncidentFact.objects.exists() and not IncidentMention.objects.exists()
    assert not IncidentUpdate.objects.exists()


def test_a_missing_or_malformed_incident_id_is_a_404(billing_api, db):
    for incident_id in ("999", "abc"):
        _error(billing_api.get(f"/api/v1/incidents/{incident_id}/"), 404, "not_found")


def test_a_read_key_sees_only_approved_updates(read_api, comms, incident):
    services.incident_draft_update(actor=comms, incident_id=incident.pk, body="Draft")
    approved = services.incident_draft_update(actor=comms, incident_id=incident.pk, body="Out")
    services.incident_approve_update(actor=comms, incident_id=incident.pk, update_id=approved.pk)
    rows = read_api.get(f"/api/v1/incidents/{incident.pk}/updates/").json()
    assert [r["body"] for r in rows] == ["Out"]


# --- contributing ---------------------------------------------------------------------------
def test_a_write_key_adds_a_fact_recorded_audited_and_published(
    billing_api, billing_key, incident, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_api.post(
            f"/api/v1/incidents/{incident.pk}/facts/",
            {"text": "Acquirer confirms outage", "source": "Status page", "confirmed_by": "Ops"},
            format="json",
        )
    assert response.status_code == 201, response.content
    fact = IncidentFact.objects.get(pk=response.json()["id"])
    assert fact.recorded_by == billing_key[0].user and fact.source == "Status page"
    assert response.json()["recorded_by"] == billing_key[0].user.username
    assert AuditEvent.objects.filter(action="incident.fact_added").exists()
    assert ("incident.fact_added", incident.pk) in [(e, p["id"]) for e, p, _ in published]
    listed = billing_api.get(f"/api/v1/incidents/{incident.pk}/facts/").json()
    assert [f["id"] for f in listed] == [fact.pk]


def test_a_fact_needs_text(billing_api, incident):
    response = billing_api.post(
        f"/api/v1/incidents/{incident.pk}/facts/", {"text": "   "}, format="json"
    )
    assert "text" in _error(response, 400, "invalid")["fields"]
    assert not IncidentFact.objects.exists()


def test_a_read_key_cannot_contribute(read_api, incident, mention):
    base = f"/api/v1/incidents/{incident.pk}"
    for path, body in [
        (f"{base}/facts/", {"text": "x"}),
        (f"{base}/updates/", {"body": "x"}),
        (f"{base}/mentions/", {"mention_ids": [mention.pk]}),
    ]:
        response = read_api.post(path, body, format="json")
        assert "'write'" in _error(response, 403, "permission_denied")["message"]
    assert not IncidentFact.objects.exists() and not IncidentUpdate.objects.exists()
    assert not IncidentMention.objects.exists()


def test_a_session_agent_who_is_not_on_the_team_cannot_contribute(api, agent, incident):
    session = api()
    session.force_authenticate(agent)
    assert session.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
    response = session.post(f"/api/v1/incidents/{incident.pk}/facts/", {"text": "x"}, format="json")
    _error(response, 403, "permission_denied")
    assert not IncidentFact.objects.exists()


def test_a_write_key_drafts_an_update_for_central_comms(
    billing_api, incident, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_api.post(
            f"/api/v1/incidents/{incident.pk}/updates/",
            {"body": "Payments recovering"},
            format="json",
        )
    assert response.status_code == 201 and response.json()["status"] == "draft"
    update = IncidentUpdate.objects.get(pk=response.json()["id"])
    assert update.body == "Payments recovering" and update.status == "draft"
    assert "incident.update_drafted" in [e for e, _, _ in published]
    rows = billing_api.get(f"/api/v1/incidents/{incident.pk}/updates/").json()
    assert [r["id"] for r in rows] == [update.pk]


def test_an_update_longer_than_the_limit_is_refused_even_padded_with_whitespace(
    billing_api, incident
):
    # The schema's maxLength is the length of the string as sent: DRF alone measured it after
    # trimming, so a body over the limit with spaces around it was accepted.
    limit = services.MAX_TEXT
    path = f"/api/v1/incidents/{incident.pk}/updates/"
    response = billing_api.post(path, {"body": " " + "x" * limit + " "}, format="json")
    _error(response, 400, "invalid")
    assert list(response.json()["error"]["fields"]) == ["body"]
    assert not IncidentUpdate.objects.exists()
    padded = billing_api.post(path, {"body": " " + "x" * (limit - 2) + " "}, format="json")
    assert padded.status_code == 201, padded.content
    assert IncidentUpdate.objects.get().body == "x" * (limit - 2)  # trimmed, as before


def test_a_write_key_links_mentions_once(billing_api, billing, incident, mention):
    other = MentionFactory(department=billing)
    path = f"/api/v1/incidents/{incident.pk}/mentions/"
    response = billing_api.post(path, {"mention_ids": [mention.pk, other.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"linked": [mention.pk, other.pk], "already_linked": []}
    again = billing_api.post(path, {"mention_ids": [mention.pk]}, format="json").json()
    assert again == {"linked": [], "already_linked": [mention.pk]}
    assert IncidentMention.objects.filter(incident=incident).count() == 2
    listed = billing_api.get(path).json()["results"]
    assert {m["id"] for m in listed} == {mention.pk, other.pk}
    assert billing_api.get(f"/api/v1/incidents/{incident.pk}/").json()["linked_mentions"] == 2


def test_linking_a_mention_the_key_cannot_see_links_nothing(
    billing_api, incident, mention, foreign_mention
):
    response = billing_api.post(
        f"/api/v1/incidents/{incident.pk}/mentions/",
        {"mention_ids": [mention.pk, foreign_mention.pk]},
        format="json",
    )
    assert "mention_ids" in _error(response, 404, "not_found")["fields"]
    assert not IncidentMention.objects.exists()


def test_linking_to_a_resolved_incident_is_a_409(billing_api, comms, incident, mention):
    services.incident_resolve(actor=comms, incident_id=incident.pk)
    response = billing_api.post(
        f"/api/v1/incidents/{incident.pk}/mentions/", {"mention_ids": [mention.pk]}, format="json"
    )
    _error(response, 409, "conflict")
    assert not IncidentMention.objects.exists()


def test_an_id_no_row_can_have_is_refused_by_name(billing_api, incident, mention):
    """Past a 64-bit integer the databases cannot compare an id (SQLite raised, a 500 found by
    Schemathesis): the schema gives the bound, and the API names the item it refuses."""
    response = billing_api.post(
        f"/api/v1/incidents/{incident.pk}/mentions/",
        {"mention_ids": [mention.pk, 2**63]},
        format="json",
    )
    assert list(_error(response, 400, "invalid")["fields"]) == ["mention_ids.1"]
    assert not IncidentMention.objects.exists()


def test_link_input_is_checked(billing_api, incident):
    path = f"/api/v1/incidents/{incident.pk}/mentions/"
    for body in ({"mention_ids": []}, {"mention_ids": ["1"]}, {}, {"mention_ids": [1] * 101}):
        fields = _error(billing_api.post(path, body, format="json"), 400, "invalid")["fields"]
        assert [name for name in fields if name.startswith("mention_ids")], fields
    assert not IncidentMention.objects.exists()


def test_linked_mentions_list_only_the_keys_departments(
    billing_api, comms, incident, mention, foreign_mention
):
    for linked in (mention, foreign_mention):
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=linked.pk)
    rows = billing_api.get(f"/api/v1/incidents/{incident.pk}/mentions/").json()["results"]
    assert [m["id"] for m in rows] == [mention.pk]


def test_linked_mentions_page_newest_first_through_every_page(
    billing_api, comms, incident, billing
):
    linked = [MentionFactory(department=billing) for _ in range(7)]
    for m in linked[3:] + linked[:3]:  # linked in another order than they arrived
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=m.pk)
    seen, url = [], f"/api/v1/incidents/{incident.pk}/mentions/?page_size=3"
    while url:
        body = billing_api.get(url).json()
        seen += [m["id"] for m in body["results"]]
        url = body["next"]
    assert seen == [m.pk for m in reversed(linked)]


# --- schema ---------------------------------------------------------------------------------
def test_the_incident_operations_are_documented(client, db):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/incidents/{incident_id}/facts/"])
    detail = paths["/api/v1/incidents/{incident_id}/"]["get"]
    assert "404" in detail["responses"]
    link = paths["/api/v1/incidents/{incident_id}/mentions/"]["post"]
    assert {"200", "403", "404", "409"} <= set(link["responses"])
    assert {"IncidentStatusEnum", "IncidentSeverityEnum"} <= set(schema["components"]["schemas"])
