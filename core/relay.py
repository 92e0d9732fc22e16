"""One channel-layer member per group per process, fanning events out to the local sockets.

With a channel per socket, an event to a department with 50 open queues crosses Redis 50 times
(one list push, one pop, one decode and one dispatch per socket). Here each process joins a
group once, on a channel of its own, when its first socket subscribes, and leaves it with its
last: an event crosses the layer once per process, is encoded once, and the same frame is
written to each local socket in the group.

Each socket keeps a bounded outbox written by a task of its own, so a slow reader delays only
itself; past ``OUTBOX_LIMIT`` frames its oldest are dropped, as the channel layer dropped
messages past a channel's capacity (clients refetch on the next event or on reconnect).
Everything here runs on the loop of the process's sockets; a loop of its own per relay (tests
make many loops).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging

log = logging.getLogger(__name__)

OUTBOX_LIMIT = 1000  # frames waiting for one socket, like the layer's channel capacity
RETRY_FIRST, RETRY_MAX = 0.5, 5.0  # seconds between attempts to receive while the layer is down
# channels-redis forgets a group membership a day after it was added (group_expiry): renew.
RENEW_EVERY = 3600.0


def event_frame(message: dict) -> str:
    """The text frame of a ``live.event`` message, as every socket receives it."""
    return json.dumps({"type": "event", "event": message["event"], **message["payload"]})


class Outbox:
    """Frames for one socket, written in order by one task at a time."""

    def __init__(self, send_text):
        self._send_text = send_text
        self._frames: collections.deque[str] = collections.deque(maxlen=OUTBOX_LIMIT)
        self._writer: asyncio.Task | None = None
        self.closed = False

    def put(self, frame: str) -> None:
        if self.closed:
            return
        self._frames.append(frame)
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write())

    async def _write(self) -> None:
        try:
            while self._frames and not self.closed:
                await self._send_text(self._frames.popleft())
        except Exception as exc:  # the socket went away meanwhile: its consumer cleans up
            self.closed = True
            self._frames.clear()
            log.debug("live frame not written: %s", exc)
        finally:
            self._writer = None

    def close(self) -> None:
        self.closed = True
        self._frames.clear()


class _Group:
    __slots__ = ("channel", "members", "task")

    def __init__(self, channel: str):
        self.channel = channel
        self.members: set = set()
        self.task: asyncio.Task | None = None


class GroupRelay:
    """The groups this process's sockets are in, on one loop and one channel layer.

    A member is any object with ``outbox`` (an :class:`Outbox`) and an async
    ``dispatch(message)`` for messages other than live events."""

    def __init__(self, layer):
        self.layer = layer
        self.groups: dict[str, _Group] = {}
        # joins and leaves reach the layer in the order they happen here
        self._lock = asyncio.Lock()
        self._renewer: asyncio.Task | None = None

    async def join(self, group: str, member) -> None:
        async with self._lock:
            entry = self.groups.get(group)
            if entry is None:
                entry = _Group(await self.layer.new_channel())
                await self.layer.group_add(group, entry.channel)
                entry.task = asyncio.ensure_future(self._forward(group, entry))
                self.groups[group] = entry
            entry.members.add(member)
            if self._renewer is None:
                self._renewer = asyncio.ensure_future(self._renew_forever())

    async def leave(self, group: str, member) -> None:
        async with self._lock:
            entry = self.groups.get(group)
            if entry is None or member not in entry.members:
                return
            entry.members.discard(member)
            if entry.members:
                return
            del self.groups[group]
            # wait for the receive to unwind: channels-redis counts its receivers, and one
            # left pending on a loop that then closes would block receiving on any other
            await _cancelled(entry.task)
            if not self.groups and self._renewer is not None:
                await _cancelled(self._renewer)
                self._renewer = None
            try:
                await self.layer.group_discard(group, entry.channel)
            except Exception as exc:  # the membership expires by itself
                log.warning("group %s not left: %s", group, exc)

    async def _forward(self, group: str, entry: _Group) -> None:
        pause = RETRY_FIRST
        while True:
            try:
                message = await self.layer.receive(entry.channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the layer is down (Redis restarting): wait, rejoin
                log.warning("live events of %s not received (%s): retrying", group, exc)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MAX)
                with contextlib.suppress(Exception):  # a restarted Redis forgot the group
                    await self.layer.group_add(group, entry.channel)
                continue
            pause = RETRY_FIRST
            try:
                self.deliver(message, entry.members)
            except Exception:  # one bad message must not stop the group
                log.exception("live event not forwarded")

    @staticmethod
    def deliver(message: dict, members) -> None:
        if message.get("type") == "live.event":
            frame = event_frame(message)
            for member in members:
                member.outbox.put(frame)
            return
        for member in list(members):
            task = asyncio.ensure_future(member.dispatch(message))
            task.add_done_callback(_report)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            async with self._lock:
                for group, entry in list(self.groups.items()):
                    try:
                        await self.layer.group_add(group, entry.channel)
                    except Exception:
                        log.exception("group membership of %s not renewed", group)


async def _cancelled(task: asyncio.Task) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _report(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("live message not handled: %s", task.exception())


_relays: dict[asyncio.AbstractEventLoop, GroupRelay] = {}


def relay_for(layer) -> GroupRelay:
    """This loop's relay for ``layer`` (made at the first subscription)."""
    loop = asyncio.get_running_loop()
    relay = _relays.get(loop)
    if relay is None or relay.layer is not layer:
        for old in [old for old in _relays if old.is_closed()]:
            del _relays[old]
        relay = _relays[loop] = GroupRelay(layer)
    return relay
