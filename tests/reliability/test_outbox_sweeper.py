"""The outbox: enqueueing never fails a committed write; the sweeper picks up stale work."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import outbox
from replies.models import DeliveryAttempt, Reply, ReplyState
from spokes.models import Mention
from tests.factories import MentionFactory

NOTHING = {"triage": 0, "delivery": 0, "webhook": 0, "email": 0, "bulk": 0}


class BrokenBroker:
    name = "replies.tasks.deliver_reply"

    def apply_async(self, *args, **kwargs):
        raise ConnectionRefusedError("broker down")


def test_a_broker_failure_after_commit_is_logged_not_raised(
    db, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_on_commit(BrokenBroker(), 42)
    assert "the sweeper will retry" in caplog.text


@pytest.fixture
def stale_reply(agent, billing):
    reply = Reply.objects.create(
        mention=MentionFactory(department=billing),
        author=agent,
        text="On its way",
        state=ReplyState.QUEUED,
        queued_at=timezone.now(),
    )
    Reply.objects.filter(pk=reply.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    return reply


def test_a_reply_left_queued_is_delivered_by_the_sweep(stale_reply):
    assert outbox.sweep_pending_work() == {**NOTHING, "delivery": 1}
    stale_reply.refresh_from_db()
    assert stale_reply.state == ReplyState.SENT
    assert DeliveryAttempt.objects.filter(reply=stale_reply, ok=True).count() == 1
    assert outbox.sweep_pending_work() == NOTHING  # nothing left


def test_a_recently_attempted_reply_is_left_to_its_own_retry(stale_reply):
    Reply.objects.filter(pk=stale_reply.pk).update(updated_at=timezone.now())
    assert outbox.sweep_pending_work() == NOTHING


def test_an_untriaged_mention_is_triaged_by_the_sweep(billing):
    mention = MentionFactory(department=billing, received_at=timezone.now() - timedelta(minutes=10))
    assert mention.triaged_at is None
    assert outbox.sweep_pending_work()["triage"] == 1
    assert Mention.objects.get(pk=mention.pk).triaged_at is not None


def test_a_webhook_delivery_lost_with_the_broker_is_sent_again(billing, monkeypatch):
    from api.models import WebhookDelivery, WebhookSubscription

    subscription = WebhookSubscription.objects.create(
        department=billing,
        url="https://hooks.example/firebreak",
        events=["mention.created"],
        secret="s",
    )
    stale = WebhookDelivery.objects.create(subscription=subscription, event="mention.created")
    WebhookDelivery.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    WebhookDelivery.objects.create(subscription=subscription, event="mention.created")  # fresh
    sent = []
    monkeypatch.setattr(
        outbox, "send_now", lambda task, args: sent.append((task.name, args)) or True
    )
    assert outbox.sweep_pending_work()["webhook"] == 1
    assert sent[-1][1] == (str(stale.pk),)
