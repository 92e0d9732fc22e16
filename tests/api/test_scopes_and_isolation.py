"""Every endpoint: a key sees only its departments (404 otherwise) and needs the right scope."""

import pytest

from spokes.models import Activity, Mention, Note

FOREIGN_CALLS = [
    ("get", "/api/v1/mentions/{id}/", None),
    ("get", "/api/v1/mentions/{id}/notes/", None),
    ("post", "/api/v1/mentions/{id}/notes/", {"body": "peek"}),
    ("post", "/api/v1/mentions/{id}/status/", {"action": "resolve"}),
    ("post", "/api/v1/mentions/{id}/assignment/", {"assignee": None}),
    ("post", "/api/v1/mentions/{id}/assignment/", {"assignee": "other_agent"}),
    ("post", "/api/v1/mentions/{id}/assignment/", {"assignee": "nobody-at-all"}),
    ("post", "/api/v1/mentions/{id}/transfer/", {"department": "billing", "reason": "mine"}),
    ("post", "/api/v1/mentions/{id}/transfer/", {"department": "nowhere", "reason": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), FOREIGN_CALLS)
def test_another_departments_mention_is_a_404_and_stays_unchanged(
    billing_api, foreign_mention, other_agent, method, path, body
):
    before = Mention.objects.values().get(pk=foreign_mention.pk)
    response = getattr(billing_api, method)(path.format(id=foreign_mention.pk), body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Mention.objects.values().get(pk=foreign_mention.pk) == before
    assert not Activity.objects.filter(mention=foreign_mention).exists()
    assert not Note.objects.exists()


def test_a_missing_mention_is_the_same_404(billing_api, billing):
    assert billing_api.get("/api/v1/mentions/999999/").json() == {
        "error": {"code": "not_found", "message": "No such mention.", "fields": {}}
    }


def test_the_list_holds_only_the_keys_departments(billing_api, mention, foreign_mention):
    ids = [m["id"] for m in billing_api.get("/api/v1/mentions/").json()["results"]]
    assert ids == [mention.pk]
    filtered = billing_api.get("/api/v1/mentions/?department=support").json()["results"]
    assert filtered == []


def test_another_department_is_a_404(billing_api, support):
    assert billing_api.get("/api/v1/departments/support/").status_code == 404
    assert billing_api.get("/api/v1/departments/billing/").status_code == 200


def test_a_key_for_two_departments_sees_both(make_key, api, mention, foreign_mention):
    _, plain = make_key(mention.department, foreign_mention.department, scopes=["read"])
    ids = {m["id"] for m in api(plain).get("/api/v1/mentions/").json()["results"]}
    assert ids == {mention.pk, foreign_mention.pk}


READS = ["/api/v1/mentions/", "/api/v1/mentions/{id}/", "/api/v1/mentions/{id}/notes/",
         "/api/v1/departments/", "/api/v1/departments/billing/"]  # fmt: skip
WRITES = [
    ("/api/v1/mentions/{id}/status/", {"action": "watch"}),
    ("/api/v1/mentions/{id}/assignment/", {"assignee": None}),
    ("/api/v1/mentions/{id}/transfer/", {"department": "support", "reason": "theirs"}),
    ("/api/v1/mentions/{id}/notes/", {"body": "hello"}),
    ("/api/v1/mentions/", {"source": "twitter", "external_id": "s", "author": {"handle": "a"},
                           "text": "t"}),
]  # fmt: skip


@pytest.mark.parametrize("path", READS)
def test_reading_needs_the_read_scope(make_key, api, mention, path):
    _, write_only = make_key(mention.department, scopes=["write"])
    _, read_only = make_key(mention.department, scopes=["read"], name="reader")
    assert api(write_only).get(path.format(id=mention.pk)).status_code == 403
    assert api(read_only).get(path.format(id=mention.pk)).status_code == 200


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_writing_needs_the_write_scope(make_key, api, mention, support, path, body):
    _, read_only = make_key(mention.department, scopes=["read", "approve"])
    before = Mention.objects.values().get(pk=mention.pk)
    response = api(read_only).post(path.format(id=mention.pk), body, format="json")
    assert response.status_code == 403
    assert "'write' scope" in response.json()["error"]["message"]
    assert Mention.objects.values().get(pk=mention.pk) == before
    assert Mention.objects.count() == 1 and not Note.objects.exists()
