"""Webhooks: fan-out by department, HMAC signature with timestamp, retries with backoff."""

import hashlib
import hmac
import json
import time

import pytest
from django.db import transaction

from api import webhooks
from api.models import DeliveryStatus, WebhookDelivery
from api.services import webhook_subscription_create
from api.tasks import MAX_ATTEMPTS, backoff_seconds, deliver_webhook
from tests.api.webhook_server import Garbler, Receiver


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True


def _subscribe(url, events=("mention.status_changed",), department=None):
    subscription, secret = webhook_subscription_create(
        actor=None, url=url, events=list(events), department=department
    )
    return subscription, secret


def test_a_delivery_is_signed_with_hmac_over_timestamp_and_body(
    loopback_allowed, billing, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        subscription, secret = _subscribe(receiver.url, department=billing)
        with django_capture_on_commit_callbacks(execute=True):
            [delivery] = webhooks.enqueue(
                "mention.status_changed", {"id": 7, "status": "resolved"}, billing.pk
            )
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    timestamp = headers["X-Firebreak-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Firebreak-Signature"] == f"sha256={expected.hexdigest()}"
    assert abs(int(timestamp) - time.time()) < 60
    assert headers["X-Firebreak-Event"] == "mention.status_changed"
    assert headers["X-Firebreak-Delivery"] == str(delivery.pk)
    assert json.loads(body)["data"] == {"id": 7, "status": "resolved"}
    assert webhooks.verify(secret, timestamp, body, headers["X-Firebreak-Signature"])
    assert not webhooks.verify("whsec_other", timestamp, body, headers["X-Firebreak-Signature"])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1


def test_a_failing_receiver_is_retried_until_it_answers(loopback_allowed, billing):
    with Receiver(statuses=[500, 503, 204]) as receiver:
        subscription, _ = _subscribe(receiver.url, department=billing)
        [delivery] = webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk)
        deliver_webhook.delay(str(delivery.pk))  # eager in tests: retries run at once
    delivery.refresh_from_db()
    assert len(receiver.requests) == 3
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 3 and delivery.response_status == 204
    ids = {r["headers"]["X-Firebreak-Delivery"] for r in receiver.requests}
    assert ids == {str(delivery.pk)}  # the same id on every retry: receivers de-duplicate


def test_a_receiver_that_never_answers_is_given_up_after_the_last_attempt(
    loopback_allowed, billing
):
    with Receiver(statuses=[500]) as receiver:
        _subscribe(receiver.url, department=billing)
        [delivery] = webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk)
        deliver_webhook.delay(str(delivery.pk))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS == len(receiver.requests)
    assert delivery.last_error == "HTTP 500"
    deliver_webhook.delay(str(delivery.pk))  # running it again sends nothing
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_backoff_grows_exponentially_and_is_capped():
    delays = [backoff_seconds(n) for n in range(1, 12)]
    assert 30 <= delays[0] <= 33 and 60 <= delays[1] <= 66
    assert all(d <= 3960 for d in delays) and delays[-1] >= 3600


def test_events_reach_their_department_and_the_hub_only(loopback_allowed, billing, support):
    billing_sub, _ = _subscribe("http://127.0.0.1:9/b", department=billing)
    hub_sub, _ = _subscribe("http://127.0.0.1:9/h", events=["mention.status_changed"])
    _subscribe("http://127.0.0.1:9/s", department=support)
    _subscribe("http://127.0.0.1:9/other-event", events=["incident.opened"], department=billing)
    deliveries = webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk)
    assert {d.subscription for d in deliveries} == {billing_sub, hub_sub}


def test_triaged_mentions_are_announced_as_created(loopback_allowed, billing):
    subscription, _ = _subscribe("http://127.0.0.1:9/x", events=["mention.created"])
    [delivery] = webhooks.enqueue("mention.triaged", {"department_id": billing.pk, "ids": [4, 5]})
    assert delivery.event == "mention.created"
    assert delivery.payload == {"department_id": billing.pk, "mention_ids": [4, 5]}


def test_internal_events_and_inactive_subscriptions_send_nothing(loopback_allowed, billing):
    subscription, _ = _subscribe("http://127.0.0.1:9/x", department=billing)
    assert webhooks.enqueue("membership.changed", {"department_id": billing.pk}, billing.pk) == []
    subscription.active = False
    subscription.save()
    assert webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk) == []


def test_a_rolled_back_change_sends_nothing(
    loopback_allowed, billing, django_capture_on_commit_callbacks
):
    _subscribe("http://127.0.0.1:9/x", department=billing)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk)
        raise RuntimeError
    assert callbacks == [] and not WebhookDelivery.objects.exists()


def test_a_receiver_answering_something_other_than_http_is_retried_then_given_up(
    loopback_allowed, billing
):
    with Garbler() as receiver:
        _subscribe(receiver.url, department=billing)
        [delivery] = webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk)
        assert deliver_webhook.delay(str(delivery.pk)).get() == "done"  # eager: every retry
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS == receiver.hits
    assert delivery.last_error.startswith("BadStatusLine")


def test_a_delivery_whose_attempts_kept_crashing_is_given_up_not_swept_forever(
    loopback_allowed, billing
):
    with Receiver(statuses=[204]) as receiver:
        _subscribe(receiver.url, department=billing)
        [delivery] = webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk)
        # as if every attempt so far had died on an error nobody foresaw (the row counts them)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS)
        assert deliver_webhook.delay(str(delivery.pk)).get() == "done"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and receiver.requests == []
