"""Per-process fan-out (core/relay.py): one channel-layer member per group, frames per socket."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from core.consumers import LiveConsumer
from core.events import department_group
from core.relay import OUTBOX_LIMIT, GroupRelay, Outbox
from spokes import services
from tests.live import connect

pytestmark = pytest.mark.asyncio


async def _subscribe(user):
    communicator, connected, _ = await connect(user)
    assert connected
    await communicator.send_json_to({"action": "subscribe", "kind": "department", "key": "billing"})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "subscribed"
    return communicator


@pytest.fixture
def memberships(monkeypatch):
    """The channel-layer members of each group, as added and discarded (any layer)."""
    layer, members = get_channel_layer(), {}
    add, discard = layer.group_add, layer.group_discard

    async def group_add(group, channel):
        members.setdefault(group, set()).add(channel)
        await add(group, channel)

    async def group_discard(group, channel):
        members.get(group, set()).discard(channel)
        await discard(group, channel)

    monkeypatch.setattr(layer, "group_add", group_add)
    monkeypatch.setattr(layer, "group_discard", group_discard)
    return members


@pytest.mark.django_db(transaction=True)
async def test_sockets_of_a_process_share_one_group_member_and_all_get_the_event(
    agent, lead, billing, mention, memberships
):
    def _members(group):
        return memberships.get(group, set())

    sockets = [await _subscribe(agent), await _subscribe(lead), await _subscribe(agent)]
    group = department_group(billing.pk)
    assert len(_members(group)) == 1

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)

    for socket in sockets:
        event = await socket.receive_json_from(timeout=3)
        assert event["event"] == "mention.assigned" and event["id"] == mention.pk
    await sockets[0].disconnect()
    assert len(_members(group)) == 1  # the others still listen
    await sync_to_async(services.mention_add_note)(actor=lead, mention_id=mention.pk, body="hi")
    for socket in sockets[1:]:
        assert (await socket.receive_json_from(timeout=3))["event"] == "mention.note_added"
    for socket in sockets[1:]:
        await socket.disconnect()
    assert _members(group) == set()


class _Member:
    def __init__(self, send_text):
        self.outbox = Outbox(send_text)

    async def dispatch(self, message):
        raise AssertionError("only live events here")


async def test_a_slow_reader_delays_only_itself_and_keeps_a_bounded_outbox():
    stuck = asyncio.Event()
    got = []

    async def never_returns(frame):
        await stuck.wait()

    async def collect(frame):
        got.append(frame)

    slow, fast = _Member(never_returns), _Member(collect)
    message = {"type": "live.event", "event": "mention.received", "payload": {"count": 1}}
    for _ in range(OUTBOX_LIMIT + 500):
        GroupRelay.deliver(message, [slow, fast])
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)

    assert len(got) == OUTBOX_LIMIT + 500
    assert got[0] == '{"type": "event", "event": "mention.received", "count": 1}'
    assert len(slow.outbox._frames) == OUTBOX_LIMIT  # the oldest dropped, none beyond
    slow.outbox.close()
    stuck.set()
    await asyncio.sleep(0)


async def test_a_socket_that_went_away_stops_taking_frames():
    async def gone(frame):
        raise ConnectionError("closed")

    member = _Member(gone)
    message = {"type": "live.event", "event": "x.y", "payload": {}}
    GroupRelay.deliver(message, [member])
    await asyncio.sleep(0.01)
    GroupRelay.deliver(message, [member])
    assert member.outbox.closed and not member.outbox._frames


class _FlakyLayer:
    """A layer whose receive fails twice (Redis restarting) and then delivers one message."""

    def __init__(self):
        self.failures, self.added, self.queue = 2, [], asyncio.Queue()

    async def new_channel(self):
        return "relay!1"

    async def group_add(self, group, channel):
        self.added.append((group, channel))

    async def group_discard(self, group, channel):
        raise ConnectionError("still down")

    async def receive(self, channel):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("Redis restarting")
        return await self.queue.get()


async def test_the_relay_rejoins_and_goes_on_after_the_layer_was_down(monkeypatch):
    monkeypatch.setattr("core.relay.RETRY_FIRST", 0.01)
    layer, got = _FlakyLayer(), []

    async def collect(frame):
        got.append(frame)

    relay, member = GroupRelay(layer), _Member(collect)
    await relay.join("dept.1", member)
    await layer.queue.put({"type": "live.event", "event": "mention.received", "payload": {}})
    for _ in range(100):
        if got:
            break
        await asyncio.sleep(0.01)

    assert got == ['{"type": "event", "event": "mention.received"}']
    assert layer.added == [("dept.1", "relay!1")] * 3  # joined, then rejoined after each failure
    await relay.leave("dept.1", member)  # a failing discard is logged, not raised
    assert relay.groups == {}


@pytest.mark.django_db(transaction=True)
async def test_a_consumer_that_crashes_leaves_its_groups(agent, billing, memberships, monkeypatch):
    """The relay must not keep a crashed socket as a member (nor the group joined for it)."""
    socket = await _subscribe(agent)
    group = department_group(billing.pk)
    assert len(memberships[group]) == 1

    async def crash(self, content, **kwargs):
        raise RuntimeError("handler failed")

    monkeypatch.setattr(LiveConsumer, "receive_json", crash)
    await socket.send_json_to({"action": "subscribe", "kind": "department", "key": "billing"})
    with pytest.raises(RuntimeError, match="handler failed"):
        await socket.receive_output(timeout=3)
    assert memberships[group] == set()
