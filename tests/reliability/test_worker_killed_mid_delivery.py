"""A Celery worker SIGKILLed mid-delivery, again and again: every reply ends sent exactly once.

A killed worker leaves its task unacknowledged in Redis, which redelivers it only after the
broker's visibility timeout (15 minutes); the outbox sweeper re-enqueues replies still
``queued`` long before that. Delivery re-checks the reply's state under a row lock, so the
duplicates the sweeper and the broker create are dropped. A kill after the receiver answered
but before the commit means the receiver sees that key twice: it de-duplicates on the
``Idempotency-Key`` header, as the delivery contract says. The reply row is sent once.
"""

import random
import subprocess
import sys
import time

import pytest
from celery import Celery
from django.utils import timezone

from replies.models import DeliveryAttempt, DeliveryChannel, Reply, ReplyState
from spokes.models import Activity
from tests.factories import MentionFactory
from tests.reliability.conftest import (
    ROOT,
    Receiver,
    celery_worker,
    on_production_stack,
    process_env,
    wait_until,
)

pytestmark = [on_production_stack, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REPLIES = 24
KILLS = 8


def sweep(env: dict, older_than_s: float = 1.0) -> str:
    """Run the beat task's body once, as the beat process would, in its own process."""
    code = (
        "import django; django.setup(); from datetime import timedelta; "
        "from core.outbox import sweep_pending_work; "
        f"print(sweep_pending_work(older_than=timedelta(seconds={older_than_s})))"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True
    ).stdout.decode()


def test_every_reply_is_sent_exactly_once_despite_repeated_sigkills(
    tmp_path, private_redis, agent, billing
):
    env = process_env(tmp_path, REDIS_URL=private_redis.url)
    mentions = MentionFactory.create_batch(REPLIES, department=billing)
    replies = [
        Reply.objects.create(
            mention=m,
            author=agent,
            text=f"We are on it ({n})",
            state=ReplyState.QUEUED,
            queued_at=timezone.now(),
        )
        for n, m in enumerate(mentions)
    ]
    broker = Celery(broker=private_redis.url)
    rng = random.Random(20261125)
    with Receiver(delay=0.4) as receiver:
        DeliveryChannel.objects.create(
            source="twitter", connector="webhook", url=receiver.url, secret="s3cret"
        )
        for reply in replies:
            broker.send_task("replies.tasks.deliver_reply", args=[reply.pk])
        worker = celery_worker(env, tmp_path / "worker.log").start()
        kills_in_flight = 0
        try:
            for _ in range(KILLS):
                # Wait for a delivery to be under way, then kill at a random point around it:
                # during the POST, after the answer but before the commit, or between tasks.
                wait_until(lambda: receiver.in_flight, timeout=60, interval=0.02)
                time.sleep(rng.uniform(0, 0.8))
                in_flight = receiver.in_flight
                worker.kill()
                kills_in_flight += in_flight > 0
                worker.start()
            sent = Reply.objects.filter(state=ReplyState.SENT).count()
            assert sent < REPLIES, "the kills came too late to interrupt anything"

            def all_sent():
                sweep(env)
                return not Reply.objects.exclude(state=ReplyState.SENT).exists()

            wait_until(all_sent, timeout=120, interval=2, message="replies left unsent")
        finally:
            worker.stop()
            log = worker.tail()
        broker.close()

    for reply in Reply.objects.all():
        assert reply.sent_at is not None and reply.external_id == f"ext-{reply.idempotency_key}"
        assert DeliveryAttempt.objects.filter(reply=reply, ok=True).count() == 1
        assert Activity.objects.filter(verb="reply_sent", data__reply_id=reply.pk).count() == 1
        assert receiver.hits.get(str(reply.idempotency_key), 0) >= 1
    assert set(receiver.hits) == {str(r.idempotency_key) for r in replies}
    assert kills_in_flight >= 1, f"no kill landed mid-delivery\n{log}"
    print(
        f"kills={KILLS} mid_delivery={kills_in_flight} posts={sum(receiver.hits.values())} "
        f"duplicate_posts={sum(receiver.hits.values()) - REPLIES}"
    )
