"""The review page reads; taking a reply is a POST (the panel's "Take this review" button)."""

from django.test import Client
from django.urls import reverse

from replies import services
from replies.models import Reply
from tests.factories import UserFactory


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_opening_the_review_page_takes_nothing(comms, pending):
    response = _as(comms).get(reverse("replies:review", args=[pending.pk]))
    assert response.status_code == 200
    assert Reply.objects.get(pk=pending.pk).claimed_by is None
    # the panel offers to take it, by POST, when the approver chooses to
    html = response.content.decode()
    claim = reverse("replies:claim", args=[pending.pk])
    assert f'hx-post="{claim}"' in html and "Take this review" in html
    assert 'hx-trigger="load' not in html
    assert 'name="decision"' not in html


def test_taking_it_shows_the_decision_form_and_the_second_approver_sees_it_taken(comms, pending):
    claim = reverse("replies:claim", args=[pending.pk])
    first = _as(comms).post(claim, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and 'name="decision" value="approve"' in first.content.decode()
    assert Reply.objects.get(pk=pending.pk).claimed_by == comms

    second_approver = UserFactory(username="comms2", org_role="comms")
    second = _as(second_approver)
    taken = second.post(claim, HTTP_HX_REQUEST="true").content.decode()
    assert "Taken by" in taken and "is deciding on this reply" in taken
    assert 'name="decision"' not in taken
    page = second.get(reverse("replies:review", args=[pending.pk])).content.decode()
    assert "Taken by" in page and 'name="decision"' not in page
    assert Reply.objects.get(pk=pending.pk).claimed_by == comms


def test_without_javascript_the_take_button_posts_and_returns_to_the_page(comms, pending):
    client = _as(comms)
    response = client.post(reverse("replies:claim", args=[pending.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("replies:review", args=[pending.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'name="decision" value="approve"' in page


def test_a_decided_reply_says_so_instead_of_offering_a_decision(comms, pending):
    services.reply_reject(actor=comms, reply_id=pending.pk, comment="No")
    client = _as(comms)
    page = client.get(reverse("replies:review", args=[pending.pk])).content.decode()
    assert "decided by" in page and 'name="decision"' not in page
    response = client.post(reverse("replies:claim", args=[pending.pk]), HTTP_HX_REQUEST="true")
    assert "no longer waiting for approval" in response.content.decode()
