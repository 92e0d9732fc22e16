"""Taking a review is the approver's choice: opening the page takes nothing, a button does.

The panel used to post the claim as it loaded (``hx-trigger="load"``): merely looking took the
reply from a colleague, and the queue's "Taken by" went on naming a claim long gone stale.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import Conflict
from core.events import hub_group, mention_group
from replies import services
from replies.models import Reply
from spokes.models import Activity
from tests.factories import UserFactory


@pytest.fixture
def second_approver(db):
    return UserFactory(username="comms2", org_role="comms")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _panel(client, reply) -> str:
    url = reverse("replies:review", args=[reply.pk]) + "?partial=decision"
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_the_page_never_takes_the_reply_as_it_loads(comms, pending):
    html = _as(comms).get(reverse("replies:review", args=[pending.pk])).content.decode()
    assert "Take this review" in html
    assert "load" not in html.split('id="decision"')[1].split("</aside>")[0]
    assert Reply.objects.get(pk=pending.pk).claimed_by is None


def test_a_second_approver_sees_who_holds_it_without_taking_it(
    comms, second_approver, pending, published, django_capture_on_commit_callbacks
):
    services.reply_claim(actor=comms, reply_id=pending.pk)
    second = _as(second_approver)
    with django_capture_on_commit_callbacks(execute=True):
        page = second.get(reverse("replies:review", args=[pending.pk])).content.decode()
    assert f"Taken by {comms}" in page and "Take this review" not in page
    assert 'name="decision"' not in page
    reply = Reply.objects.get(pk=pending.pk)
    assert reply.claimed_by == comms
    assert published == []


def test_taking_it_is_recorded_in_the_history_and_published_once(
    comms, pending, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_claim(actor=comms, reply_id=pending.pk)
        services.reply_claim(actor=comms, reply_id=pending.pk)  # a renewal changes no view
    assert [e for e, _, _ in published].count("reply.claimed") == 1
    activity = Activity.objects.get(verb="reply_claimed")
    assert activity.actor == comms and activity.data["reply_id"] == pending.pk


def test_the_holder_hands_it_back_and_the_panel_follows_live(
    comms, second_approver, pending, published, django_capture_on_commit_callbacks
):
    client = _as(comms)
    client.post(reverse("replies:claim", args=[pending.pk]), HTTP_HX_REQUEST="true")
    second = _as(second_approver)
    taken = _panel(second, pending)
    # the panel refetches itself on the mention's reply events
    assert f"Taken by {comms}" in taken and 'data-live-events="reply."' in taken
    with django_capture_on_commit_callbacks(execute=True):
        released = client.post(
            reverse("replies:release", args=[pending.pk]), HTTP_HX_REQUEST="true"
        )
    assert "Take this review" in released.content.decode()
    assert Reply.objects.get(pk=pending.pk).claimed_by is None
    [(payload, groups)] = [(p, g) for e, p, g in published if e == "reply.released"]
    assert payload["id"] == pending.pk and payload["state"] == "pending_approval"
    assert hub_group() in groups and mention_group(pending.mention_id) in groups
    assert Activity.objects.filter(verb="reply_released", actor=comms).exists()
    assert "Take this review" in _panel(second, pending)


def test_only_the_holder_hands_it_back(
    comms, second_approver, pending, published, django_capture_on_commit_callbacks
):
    services.reply_claim(actor=comms, reply_id=pending.pk)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        services.reply_release(actor=second_approver, reply_id=pending.pk)
    assert Reply.objects.get(pk=pending.pk).claimed_by == comms
    assert published == []


def test_a_stale_claim_is_named_nowhere_and_can_be_taken(comms, second_approver, pending):
    services.reply_claim(actor=comms, reply_id=pending.pk)
    Reply.objects.filter(pk=pending.pk).update(
        claimed_at=Reply.objects.get(pk=pending.pk).claimed_at
        - services.CLAIM_TTL
        - timedelta(seconds=1)
    )
    second = _as(second_approver)
    queue = second.get(reverse("replies:approvals")).content.decode()
    row = queue.split(f'data-reply-id="{pending.pk}"')[1].split("</tr>")[0]
    assert comms.username not in row.split("</td>")[-2]  # the "Taken by" cell
    assert "Take this review" in _panel(second, pending)
    services.reply_claim(actor=second_approver, reply_id=pending.pk)
    activity = Activity.objects.filter(verb="reply_claimed").latest("id")
    assert activity.data["taken_over_from"] == str(comms)


def _age(reply, by):
    Reply.objects.filter(pk=reply.pk).update(
        claimed_at=Reply.objects.get(pk=reply.pk).claimed_at - by
    )


def test_the_holders_panel_keeps_the_claim_while_they_type(comms, pending):
    client = _as(comms)
    held = client.post(reverse("replies:claim", args=[pending.pk]), HTTP_HX_REQUEST="true")
    keep = held.content.decode().split('id="claim-keep"')[1].split(">")[0]
    assert 'hx-trigger="input from:closest form throttle:60s"' in keep
    assert 'hx-swap="none"' in keep and "keep" in keep


def test_a_keep_renews_the_holders_claim_quietly(
    comms, pending, published, django_capture_on_commit_callbacks
):
    services.reply_claim(actor=comms, reply_id=pending.pk)
    _age(pending, services.CLAIM_TTL - timedelta(seconds=20))
    with django_capture_on_commit_callbacks(execute=True):
        kept = _as(comms).post(
            reverse("replies:claim", args=[pending.pk]), {"keep": "1"}, HTTP_HX_REQUEST="true"
        )
    assert kept.status_code == 204 and kept.content == b""
    reply = Reply.objects.get(pk=pending.pk)
    assert services.claim_holder(reply, now=reply.claimed_at + services.CLAIM_TTL / 2) == comms
    assert published == []  # a renewal changes nobody's view


def test_a_keep_after_a_colleague_took_the_lapsed_claim_says_who(comms, second_approver, pending):
    services.reply_claim(actor=comms, reply_id=pending.pk)
    _age(pending, services.CLAIM_TTL + timedelta(seconds=1))
    services.reply_claim(actor=second_approver, reply_id=pending.pk)
    refused = _as(comms).post(
        reverse("replies:claim", args=[pending.pk]), {"keep": "1"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 409 and refused["Content-Type"].startswith("text/plain")
    assert refused.content.decode() == f"{second_approver} is deciding on this reply."
    assert Reply.objects.get(pk=pending.pk).claimed_by == second_approver


def test_an_agent_cannot_keep_a_claim(agent, pending):
    response = _as(agent).post(reverse("replies:claim", args=[pending.pk]), {"keep": "1"})
    assert response.status_code == 404
    assert Reply.objects.get(pk=pending.pk).claimed_by is None
