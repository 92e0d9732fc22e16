"""A channel's limit paces its replies: each takes the next free moment, evenly spaced, so a
bulk response leaves at the platform's pace instead of tripping its limits and failing."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.outbox import sweep_pending_work
from replies import services, tasks
from replies.models import DeliveryChannel, Reply, ReplyState
from tests.factories import MentionFactory


def _queued(agent, billing, n=1) -> list[Reply]:
    replies = []
    for _ in range(n):
        mention = MentionFactory(department=billing)
        draft = services.reply_draft(actor=agent, mention_id=mention.pk, text="On it!")
        replies.append(services.reply_submit(actor=agent, reply_id=draft.pk))
    assert {r.state for r in replies} == {ReplyState.QUEUED}
    return replies


def _channel(**fields) -> DeliveryChannel:
    return DeliveryChannel.objects.create(source="twitter", connector="log", **fields)


def test_replies_take_evenly_spaced_turns(agent, billing, policy):
    channel = _channel(per_minute=60)
    first, second, third = _queued(agent, billing, 3)
    started = timezone.now()
    waits = [services.reply_pace(reply_id=r.pk) for r in (first, second, third)]
    assert waits[0] == 0
    assert 0.9 < waits[1] <= 1.0 and 1.9 < waits[2] <= 2.0
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.not_before - started == pytest.approx(timedelta(seconds=1), abs=timedelta(0.2))
    assert third.not_before - second.not_before == timedelta(seconds=1)
    channel.refresh_from_db()
    assert channel.next_slot_at == third.not_before + timedelta(seconds=1)
    page = _page(agent, second.mention_id)
    assert "its turn under the channel" in page


def _page(user, mention_id) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/m/{mention_id}/").content.decode()


def test_without_a_limit_nothing_waits_and_nothing_is_written(agent, billing, policy):
    channel = _channel()
    replies = _queued(agent, billing, 3)
    assert [services.reply_pace(reply_id=r.pk) for r in replies] == [0, 0, 0]
    channel.refresh_from_db()
    assert channel.next_slot_at is None
    assert not Reply.objects.filter(not_before__isnull=False).exists()


def test_a_reply_not_queued_or_on_a_paused_channel_takes_no_turn(agent, billing, policy):
    channel = _channel(per_minute=1, active=False)  # paused: delivery holds it
    (reply,) = _queued(agent, billing)
    assert services.reply_pace(reply_id=reply.pk) == 0
    channel.active = True
    channel.save()
    Reply.objects.filter(pk=reply.pk).update(state=ReplyState.SENT)
    assert services.reply_pace(reply_id=reply.pk) == 0
    channel.refresh_from_db()
    assert channel.next_slot_at is None


def test_the_task_waits_for_its_turn_then_delivers_once(agent, billing, policy):
    _channel(per_minute=60)
    first, second = _queued(agent, billing, 2)
    assert tasks.deliver_reply.delay(first.pk).get() == "sent"
    # eager here: the task sent again for its turn runs at once and delivers
    assert tasks.deliver_reply.delay(second.pk).get() == "paced"
    second.refresh_from_db()
    assert second.state == ReplyState.SENT and second.attempts == 1
    assert second.not_before is not None


def test_the_sweeper_leaves_a_reply_whose_turn_has_not_come(agent, billing, policy):
    (reply,) = _queued(agent, billing)
    long_ago = timezone.now() - timedelta(hours=1)
    Reply.objects.filter(pk=reply.pk).update(
        updated_at=long_ago, not_before=timezone.now() + timedelta(minutes=30)
    )
    assert sweep_pending_work(older_than=timedelta(0))["delivery"] == 0
    Reply.objects.filter(pk=reply.pk).update(updated_at=long_ago, not_before=long_ago)
    assert sweep_pending_work(older_than=timedelta(0))["delivery"] == 1  # its turn passed
    reply.refresh_from_db()
    assert reply.state == ReplyState.SENT


@pytest.mark.parametrize("value", ["0", "-5", "10001", "many", "2.5"])
def test_a_bad_limit_is_refused_naming_the_field(admin_user, value):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/replies/channels/", {"source": "twitter", "connector": "log", "per_minute": value}
    )
    assert response.status_code == 400
    assert "Replies a minute: a whole number from 1 to 10,000" in response.content.decode()
    assert not DeliveryChannel.objects.exists()


def test_an_administrator_sets_and_clears_the_limit(admin_user):
    client = Client()
    client.force_login(admin_user)
    form = {"source": "twitter", "connector": "log", "active": "1", "per_minute": "120"}
    page = client.post("/replies/channels/", form).content.decode()
    assert "at most 120 a minute, evenly spaced" in page
    assert DeliveryChannel.objects.get().per_minute == 120
    client.post("/replies/channels/", {**form, "per_minute": ""})
    assert DeliveryChannel.objects.get().per_minute is None


def test_a_turn_far_ahead_is_waited_for_in_steps_under_the_brokers_timeout(
    agent, billing, policy, monkeypatch
):
    """Redis hands a task unacknowledged for 15 minutes to another worker as well: a reply
    whose turn is an hour away wakes every few minutes to wait again, then is delivered."""
    (reply,) = _queued(agent, billing)
    sent_again = []
    monkeypatch.setattr(tasks.deliver_reply, "apply_async", lambda **kw: sent_again.append(kw))
    turn = time.time() + 3600
    assert tasks.deliver_reply.run(reply.pk, turn=turn) == "paced"
    assert sent_again[0]["kwargs"] == {"turn": turn}
    assert sent_again[0]["countdown"] == tasks.LONGEST_WAIT
    reply.refresh_from_db()
    assert reply.state == ReplyState.QUEUED and reply.attempts == 0
    assert tasks.deliver_reply.run(reply.pk, turn=time.time() + 0.5) == "sent"  # its moment
    assert len(sent_again) == 1
