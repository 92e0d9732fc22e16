"""POST /api/v1/mentions/: one mention or a batch, idempotent, partial failure reported."""

import pytest

from spokes.models import Author, Mention

URL = "/api/v1/mentions/"


def item(external_id="tw-1", **extra):
    return {
        "source": "twitter",
        "external_id": external_id,
        "author": {
            "handle": "jo",
            "display_name": "Jo",
            "followers": 50,
            "url": "https://x.com/jo",
        },
        "text": "My invoice charged me twice, refund please",
        "url": f"https://x.com/jo/status/{external_id}",
        "posted_at": "2026-11-25T09:12:00Z",
        "language": "en",
        **extra,
    }


def test_one_mention_is_created_and_triaged_on_arrival(
    billing_api, billing, django_capture_on_commit_callbacks
):
    billing.is_default = True
    billing.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = billing_api.post(URL, item(), format="json")
    assert response.status_code == 201
    body = response.json()
    mention = Mention.objects.get(pk=body["id"])
    assert (mention.source, mention.external_id, mention.reach) == ("twitter", "tw-1", 50)
    assert mention.author.profile_url == "https://x.com/jo"
    assert body["author"]["handle"] == "jo"
    assert mention.triaged_at is not None and mention.department == billing


def test_a_replay_returns_the_existing_mention_and_changes_nothing(billing_api, billing):
    first = billing_api.post(URL, item(department="billing"), format="json").json()
    again = billing_api.post(URL, item(text="edited text", department="billing"), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Mention.objects.count() == 1
    assert Mention.objects.get().text.startswith("My invoice")


def test_a_batch_of_a_thousand_is_stored_in_a_constant_number_of_queries(
    billing_api, billing, django_assert_max_num_queries
):
    batch = [
        item(
            f"b-{i}",
            author={"handle": f"user{i % 97}", "followers": i},
            parent_external_id=f"b-{i - 1}" if i % 4 else "",
        )
        for i in range(1000)
    ]
    with django_assert_max_num_queries(25):
        response = billing_api.post(URL, batch, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["existing"], body["invalid"]) == (1000, 0, 0)
    assert [r["index"] for r in body["results"]] == list(range(1000))
    assert Mention.objects.count() == 1000
    assert Author.objects.count() == 97
    reply = Mention.objects.get(external_id="b-3")
    assert reply.parent.external_id == "b-2" and reply.thread_root.external_id == "b-0"


def test_a_batch_replay_reports_every_item_as_existing(billing_api, billing):
    batch = [item(f"r-{i}") for i in range(5)]
    first = billing_api.post(URL, batch, format="json").json()
    again = billing_api.post(URL, batch, format="json").json()
    assert again["created"] == 0 and again["existing"] == 5
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]
    assert Mention.objects.count() == 5


def test_a_duplicate_inside_one_batch_is_created_once(billing_api, billing):
    body = billing_api.post(URL, [item("d"), item("d")], format="json").json()
    assert [r["status"] for r in body["results"]] == ["created", "existing"]
    assert body["results"][0]["id"] == body["results"][1]["id"]
    assert Mention.objects.count() == 1


def test_partial_failure_accepts_valid_items_and_reports_invalid_ones_by_index(
    billing_api, billing, support
):
    batch = [
        item("ok-1"),
        {**item("bad-1"), "author": {"followers": -3}},
        item("ok-2", department="billing"),
        item("bad-2", department="support"),
        "not an object",
    ]
    response = billing_api.post(URL, batch, format="json")
    assert response.status_code == 207
    body = response.json()
    assert (body["created"], body["invalid"]) == (2, 3)
    statuses = [(r["index"], r["status"]) for r in body["results"]]
    assert statuses == [
        (0, "created"),
        (1, "invalid"),
        (2, "created"),
        (3, "invalid"),
        (4, "invalid"),
    ]
    assert set(body["results"][1]["errors"]) == {"author.handle", "author.followers"}
    assert "department" in body["results"][3]["errors"]
    assert set(Mention.objects.values_list("external_id", flat=True)) == {"ok-1", "ok-2"}


def test_an_invalid_single_mention_is_a_400_naming_the_fields(billing_api, billing):
    response = billing_api.post(URL, {**item(), "source": "myspace", "text": ""}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"source", "text"}
    assert not Mention.objects.exists()


def test_a_department_outside_the_key_is_refused(billing_api, billing, support):
    response = billing_api.post(URL, item(department="support"), format="json")
    assert response.status_code == 404
    assert "department" in response.json()["error"]["fields"]
    assert not Mention.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [([], "body"), ("text", "body"), ([item(f"x{i}") for i in range(1001)], "body")],
)
def test_empty_oversized_or_shapeless_bodies_are_refused(billing_api, billing, body, field):
    response = billing_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Mention.objects.exists()


def test_a_key_without_write_scope_cannot_ingest(make_key, api, billing):
    _, plain = make_key(billing, scopes=["read"])
    response = api(plain).post(URL, item(), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Mention.objects.exists()


def test_only_administrators_ingest_through_a_browser_session(api, agent, admin_user, billing):
    client = api()
    client.force_login(agent)
    assert client.post(URL, item(), format="json").status_code == 403
    client.force_login(admin_user)
    assert client.post(URL, item(), format="json").status_code == 201


def test_replaying_another_departments_mention_reveals_nothing_of_it(db, billing, support):
    from rest_framework.test import APIClient

    from api.services import integration_key_create
    from tests.factories import MentionFactory

    foreign = MentionFactory(department=support, text="private text of support")
    _, plain = integration_key_create(
        actor=None, name="billing tool", departments=[billing], scopes=["write", "read"]
    )
    client = APIClient()
    response = client.post(
        "/api/v1/mentions/",
        {
            "source": foreign.source,
            "external_id": foreign.external_id,
            "author": {"handle": "x"},
            "text": "anything",
        },
        format="json",
        HTTP_AUTHORIZATION=f"Api-Key {plain}",
    )
    assert response.status_code == 200
    assert response.json() == {"id": foreign.pk, "status": "existing"}
    assert "private text" not in response.content.decode()
