"""Status change, assignment, transfer and notes through the API go through the services."""

from spokes.models import Activity, Note, Status


def _post(client, path, body, capture):
    with capture(execute=True):
        return client.post(path, body, format="json")


def test_a_status_change_is_recorded_and_published(
    billing_api, billing_key, mention, published, django_capture_on_commit_callbacks
):
    response = _post(
        billing_api,
        f"/api/v1/mentions/{mention.pk}/status/",
        {"action": "watch"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200 and response.json()["status"] == "watching"
    mention.refresh_from_db()
    assert mention.status == Status.WATCHING
    activity = Activity.objects.get(mention=mention, verb="status_changed")
    assert activity.actor == billing_key[0].user
    assert ("mention.status_changed", mention.pk) in [(e, p["id"]) for e, p, _ in published]


def test_an_illegal_transition_is_a_409_and_changes_nothing(billing_api, mention):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/status/", {"action": "reopen"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    mention.refresh_from_db()
    assert mention.status == Status.NEW
    assert not Activity.objects.filter(mention=mention).exists()


def test_an_unknown_action_names_the_field(billing_api, mention):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/status/", {"action": "delete"}, format="json"
    )
    assert response.status_code == 400
    assert "action" in response.json()["error"]["fields"]


def test_assigning_to_a_member_and_unassigning(billing_api, mention, agent, published):
    path = f"/api/v1/mentions/{mention.pk}/assignment/"
    response = billing_api.post(path, {"assignee": "agent"}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] == "agent"
    mention.refresh_from_db()
    assert mention.assignee == agent and mention.status == Status.ASSIGNED
    unassigned = billing_api.post(path, {"assignee": None}, format="json").json()
    assert unassigned["assignee"] is None and unassigned["status"] == Status.NEW
    mention.refresh_from_db()
    assert mention.assignee is None and mention.status == Status.NEW  # not "Assigned" to nobody
    assert Activity.objects.filter(mention=mention, verb="assigned").count() == 2


def test_assigning_to_someone_outside_the_department_is_refused(billing_api, mention, other_agent):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/assignment/", {"assignee": "other_agent"}, format="json"
    )
    assert response.status_code == 400
    assert "assignee" in response.json()["error"]["fields"]
    mention.refresh_from_db()
    assert mention.assignee is None


def test_a_transfer_moves_the_mention_out_of_the_keys_sight(billing_api, mention, support):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/transfer/",
        {"department": "support", "reason": "About a delivery"},
        format="json",
    )
    assert response.status_code == 204
    mention.refresh_from_db()
    assert mention.department == support and mention.status == Status.TRANSFERRED
    assert Activity.objects.get(mention=mention, verb="transferred").data["reason"]
    assert billing_api.get(f"/api/v1/mentions/{mention.pk}/").status_code == 404


def test_a_transfer_needs_a_reason(billing_api, mention, support):
    response = billing_api.post(
        f"/api/v1/mentions/{mention.pk}/transfer/",
        {"department": "support", "reason": "  "},
        format="json",
    )
    assert response.status_code == 400
    mention.refresh_from_db()
    assert mention.department.slug == "billing"


def test_notes_are_added_and_listed(billing_api, billing_key, mention):
    path = f"/api/v1/mentions/{mention.pk}/notes/"
    response = billing_api.post(path, {"body": "Customer called back"}, format="json")
    assert response.status_code == 201
    note = Note.objects.get()
    assert note.author == billing_key[0].user and note.body == "Customer called back"
    assert [n["body"] for n in billing_api.get(path).json()] == ["Customer called back"]
    detail = billing_api.get(f"/api/v1/mentions/{mention.pk}/").json()
    assert [n["id"] for n in detail["notes"]] == [note.pk]
    assert [h["verb"] for h in detail["history"]] == ["note_added"]
