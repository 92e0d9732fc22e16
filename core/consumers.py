"""The one websocket consumer: authenticate by session, subscribe after a permission check."""

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core import events
from core.errors import NotFound
from core.events import department_group, hub_group, incident_group, mention_group, user_group
from core.relay import Outbox, event_frame, relay_for

log = logging.getLogger(__name__)

# Kinds whose pages show who else is there (and, on a mention, who is replying).
PRESENCE_KINDS = ("incident", "mention")

# Presence announcements, merged per group in this process: the first change is announced at
# once, later ones at most every PRESENCE_ANNOUNCE_EVERY seconds with the state at that moment.
# Announcing every join to everyone costs N^2 messages of N names when N people arrive.
_announce_next: dict[str, float] = {}  # group -> earliest loop time for the next announcement
_announce_pending: set[str] = set()
_announce_tasks: set[asyncio.Task] = set()  # the loop keeps only weak references

# This process's sockets with presence, refreshed together by one task: one write per group
# per heartbeat, where one write per socket made a thousand sockets fight over a group's lock.
_local_presence: dict[str, dict] = {}  # group -> {"kind", "key", "sockets": {channel: who}}
_heartbeat: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}  # one per loop (tests make many)


def subscription_groups(user, kind: str, key) -> list[str] | None:
    """The groups a subscription request joins, or None if the user may not see it."""
    from incidents.selectors import incident_get
    from spokes.selectors import departments_for, mention_get

    if isinstance(key, str) and "\x00" in key:
        return None  # no slug or id holds one, and PostgreSQL refuses it in a query
    user.refresh_from_db(fields=["is_active", "org_role"])
    if kind == "department":
        department = departments_for(user).filter(slug=str(key)).first()
        return [department_group(department.pk)] if department else None
    if kind == "mention":
        try:
            return [mention_group(mention_get(user=user, mention_id=key).pk)]
        except NotFound:
            return None
    if kind == "incident":
        try:
            return [incident_group(incident_get(user=user, incident_id=key).pk)]
        except NotFound:
            return None
    if kind == "hub" and user.is_central_comms:
        return [hub_group()]
    if kind == "mine":  # the user's own queue: the key names nothing
        return _mine_groups(user)
    return None


def _mine_groups(user) -> list[str]:
    """Where a change to the mentions assigned to ``user`` is announced, among what they see.

    A mention is only ever assigned to someone who works its department: the departments
    they work hear every new assignment. One already theirs may lie elsewhere (a view-only
    grant now, or shared with them after they left its department): its department, or the
    mention itself. Not every department they view: central comms would refetch their own
    short list at every change in the organisation."""
    from spokes.selectors import department_ids_for, mentions_mine

    viewed = department_ids_for(user, "view_queue")
    departments = set(department_ids_for(user, "work_queue") & viewed)
    mentions = set()
    elsewhere = mentions_mine(user).exclude(department_id__in=departments)
    for mention_id, department_id in elsewhere.values_list("pk", "department_id"):
        if department_id in viewed:
            departments.add(department_id)
        else:
            mentions.add(mention_id)
    return [department_group(pk) for pk in sorted(departments)] + [
        mention_group(pk) for pk in sorted(mentions)
    ]


_resolve_groups = database_sync_to_async(subscription_groups)


async def _announce_later(layer, group: str, kind: str, key) -> None:
    loop = asyncio.get_running_loop()
    try:
        wait = _announce_next.get(group, 0.0) - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
    finally:
        _announce_pending.discard(group)  # changes from here on get an announcement of their own
    _announce_next[group] = loop.time() + events.PRESENCE_ANNOUNCE_EVERY
    try:
        viewers = await _presence(events.presence_read)(group)
        await layer.group_send(group, events.presence_message(kind, key, viewers))
    except Exception:  # presence is a courtesy: never let it break the socket
        log.exception("presence announcement to %s failed", group)


def _announce(layer, group: str, kind: str, key) -> None:
    if group in _announce_pending:
        return
    _announce_pending.add(group)
    task = asyncio.ensure_future(_announce_later(layer, group, kind, key))
    _announce_tasks.add(task)
    task.add_done_callback(_announce_tasks.discard)


async def _heartbeat_forever(layer) -> None:
    while True:
        await asyncio.sleep(events.PRESENCE_HEARTBEAT)
        for group, here in list(_local_presence.items()):
            try:
                changed = await _presence(events.presence_refresh)(group, dict(here["sockets"]))
            except Exception:
                log.exception("presence heartbeat for %s failed", group)
                continue
            if changed:
                _announce(layer, group, here["kind"], here["key"])


def _presence(function):
    # cache round trips off the event loop, and off the thread that serialises database work
    return sync_to_async(function, thread_sensitive=False)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.groups_joined: set[str] = set()
        self.subscriptions: dict[tuple[str, str], list[str]] = {}  # (kind, key) -> groups
        self.present: dict[str, tuple[str, str]] = {}  # group -> (kind, key)
        self.outbox = Outbox(self._send_text)
        await self.accept()
        # The user's own group (notifications, access changes) is the socket's own; the
        # groups it subscribes to are shared by the process's sockets (core/relay.py).
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Normally ``disconnect`` has left every group; after a crash (the channel layer
            # down), the relay must not keep writing to this socket.
            for group in list(getattr(self, "groups_joined", ())):
                with contextlib.suppress(Exception):
                    await self._leave(group)

    async def _send_text(self, frame: str):
        await self.send(text_data=frame)

    async def _join(self, group: str):
        self.groups_joined.add(group)
        await relay_for(self.channel_layer).join(group, self)

    async def _leave(self, group: str):
        self.groups_joined.discard(group)
        await relay_for(self.channel_layer).leave(group, self)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """A frame that is not a JSON object (an array, plain text, a binary frame) is
        answered with an error; the socket stays open."""
        try:
            content = await self.decode_json(text_data) if text_data else None
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "bad_request"})
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        action = content.get("action")
        kind = content.get("kind")
        key = content.get("key")
        if action == "subscribe":
            groups = await _resolve_groups(self.scope["user"], kind, key)
            if groups is None:
                await self.send_json({"type": "error", "error": "not_found", "kind": kind})
                return
            for group in groups:
                await self._join(group)
            self.subscriptions[(str(kind), str(key))] = groups
            await self.send_json({"type": "subscribed", "kind": kind, "key": key})
            if kind in PRESENCE_KINDS:
                await self._arrive(groups[0], kind, key)
        elif action == "unsubscribe":
            # the groups joined then: what the user may see now can differ ("mine")
            groups = self.subscriptions.pop((str(kind), str(key)), [])
            still = set().union(*self.subscriptions.values())  # a department and "mine" share
            for group in groups:
                if group in self.groups_joined and group not in still:
                    await self._depart(group)
                    await self._leave(group)
        elif action == "typing":
            # only where this socket already subscribed, i.e. passed the permission check
            wanted = (kind, str(key))
            group = next((g for g, where in self.present.items() if where == wanted), None)
            if group is None:
                await self.send_json({"type": "error", "error": "not_subscribed", "kind": kind})
                return
            await _presence(events.presence_typing)(group, self.channel_name)
            _announce(self.channel_layer, group, kind, str(key))
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": "unknown_action"})

    async def disconnect(self, code):
        outbox = getattr(self, "outbox", None)
        if outbox is not None:
            outbox.close()
        for group in list(getattr(self, "present", {})):
            await self._depart(group)
        for group in list(getattr(self, "groups_joined", ())):
            await self._leave(group)
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            await self.channel_layer.group_discard(user_group(user.pk), self.channel_name)

    async def dispatch(self, message):
        # Channels closes stale database connections (a hop to the database thread) before
        # every handler. Forwarding an event touches no database: skip that hop.
        if message["type"] == "live.event":
            await self.live_event(message)
        else:
            await super().dispatch(message)

    async def live_event(self, message):
        # the user's own group; subscribed groups come through the relay's outbox
        self.outbox.put(event_frame(message))

    async def access_changed(self, message):
        """The user's account or memberships changed (deactivated, membership revoked, new
        password): close, so that the browser reconnects and every subscription goes through
        the permission checks again."""
        await self.close(code=4003)

    # --- presence ------------------------------------------------------------------------
    def _me(self) -> dict:
        user = self.scope["user"]
        return {
            "user_id": user.pk,
            "name": user.get_full_name() or user.username,
            "initials": user.display_initials,
        }

    async def _arrive(self, group: str, kind: str, key):
        self.present[group] = (kind, str(key))
        here = _local_presence.setdefault(group, {"kind": kind, "key": str(key), "sockets": {}})
        here["sockets"][self.channel_name] = self._me()
        await _presence(events.presence_join)(group, self.channel_name, **self._me())
        _announce(self.channel_layer, group, kind, str(key))
        loop = asyncio.get_running_loop()
        if loop not in _heartbeat:
            _heartbeat[loop] = asyncio.ensure_future(_heartbeat_forever(self.channel_layer))

    async def _depart(self, group: str):
        if group not in self.present:
            return
        kind, key = self.present.pop(group)
        here = _local_presence.get(group)
        if here:
            here["sockets"].pop(self.channel_name, None)
            if not here["sockets"]:
                _local_presence.pop(group, None)
                _announce_next.pop(group, None)
        await _presence(events.presence_leave)(group, self.channel_name)
        _announce(self.channel_layer, group, kind, key)
