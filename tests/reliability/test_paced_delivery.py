"""Paced delivery with a real Celery worker on Redis: replies under a channel's limit reach the
receiver evenly spaced, each once, however many worker processes take them at once."""

import pytest
from celery import Celery
from django.utils import timezone

from replies.models import DeliveryChannel, Reply, ReplyState
from tests.factories import MentionFactory
from tests.reliability.conftest import (
    Receiver,
    celery_worker,
    on_production_stack,
    process_env,
    wait_until,
)

pytestmark = [on_production_stack, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REPLIES = 6
PER_MINUTE = 240  # a quarter of a second apart


def test_replies_reach_the_receiver_at_the_channels_pace(tmp_path, private_redis, agent, billing):
    env = process_env(tmp_path, REDIS_URL=private_redis.url)
    replies = [
        Reply.objects.create(
            mention=m, author=agent, text=f"On it ({n})", state=ReplyState.QUEUED,
            queued_at=timezone.now(),
        )
        for n, m in enumerate(MentionFactory.create_batch(REPLIES, department=billing))
    ]  # fmt: skip
    broker = Celery(broker=private_redis.url)
    with Receiver() as receiver:
        DeliveryChannel.objects.create(
            source="twitter", connector="webhook", url=receiver.url, secret="s3cret",
            per_minute=PER_MINUTE,
        )  # fmt: skip
        worker = celery_worker(env, tmp_path / "worker.log", concurrency=2).start()
        try:
            for reply in replies:  # all at once, as a bulk response's hand-over sends them
                broker.send_task("replies.tasks.deliver_reply", args=[reply.pk])
            wait_until(
                lambda: not Reply.objects.exclude(state=ReplyState.SENT).exists(),
                timeout=60,
                interval=0.25,
                message="replies left unsent",
            )
        finally:
            worker.stop()
            log = worker.tail()
        broker.close()
    rows = list(Reply.objects.order_by("sent_at").values_list("not_before", "sent_at"))
    sent = [sent_at for _, sent_at in rows]
    gaps = [(b - a).total_seconds() for a, b in zip(sent, sent[1:], strict=False)]
    # Each reply's turn is 0.25 s after the one before (the first goes at once), and none is
    # sent before its turn. The moments they were sent are a turn plus that delivery's own
    # time, which varies on a busy machine: one slow delivery followed by a quick one came
    # 0.10 s apart in a CI run whose turns were 0.25 s apart.
    turns = sorted(turn for turn, _ in rows if turn is not None)
    spacing = [(b - a).total_seconds() for a, b in zip(turns, turns[1:], strict=False)]
    # On a quiet machine all but the first wait for a turn. On a saturated one (a CI run beside
    # four test sessions) a worker may take a reply more than a turn after the one before:
    # its moment is free and it goes at once, without a turn (4 of 5 waited in that run).
    assert len(turns) >= 1, f"turns {turns}\n{log}"
    assert all(s >= 0.24 for s in spacing), f"turns {turns}\n{log}"
    assert all(sent_at >= turn for turn, sent_at in rows if turn is not None), rows
    assert (sent[-1] - sent[0]).total_seconds() >= 0.18 * (REPLIES - 1)
    assert sorted(receiver.hits.values()) == [1] * REPLIES  # each once
    print(f"gaps between deliveries (s): {[round(g, 3) for g in gaps]}")
