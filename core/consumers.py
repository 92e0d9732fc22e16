"""The one websocket consumer: authenticate by session, subscribe after a permission check."""

import asyncio
import contextlib

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core import events
from core.errors import NotFound
from core.events import department_group, hub_group, incident_group, mention_group, user_group

# Kinds whose pages show who else is there (and, on a mention, who is replying).
PRESENCE_KINDS = ("incident", "mention")


@database_sync_to_async
def _resolve_group(user, kind: str, key) -> str | None:
    """The group name for a subscription request, or None if the user may not see it."""
    from incidents.selectors import incident_get
    from spokes.selectors import departments_for, mention_get

    user.refresh_from_db(fields=["is_active", "org_role"])
    if kind == "department":
        department = departments_for(user).filter(slug=str(key)).first()
        return department_group(department.pk) if department else None
    if kind == "mention":
        try:
            return mention_group(mention_get(user=user, mention_id=key).pk)
        except NotFound:
            return None
    if kind == "incident":
        try:
            return incident_group(incident_get(user=user, incident_id=key).pk)
        except NotFound:
            return None
    if kind == "hub" and user.is_central_comms:
        return hub_group()
    return None


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
        self.present: dict[str, tuple[str, str]] = {}  # group -> (kind, key)
        self.heartbeat_task = None
        await self.accept()
        await self._join(user_group(user.pk))

    async def _join(self, group: str):
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def receive_json(self, content, **kwargs):
        action = content.get("action")
        kind = content.get("kind")
        key = content.get("key")
        if action == "subscribe":
            group = await _resolve_group(self.scope["user"], kind, key)
            if group is None:
                await self.send_json({"type": "error", "error": "not_found", "kind": kind})
                return
            await self._join(group)
            await self.send_json({"type": "subscribed", "kind": kind, "key": key})
            if kind in PRESENCE_KINDS:
                await self._arrive(group, kind, key)
        elif action == "unsubscribe":
            group = await _resolve_group(self.scope["user"], kind, key)
            if group and group in self.groups_joined:
                await self._depart(group)
                await self.channel_layer.group_discard(group, self.channel_name)
                self.groups_joined.discard(group)
        elif action == "typing":
            # only where this socket already subscribed, i.e. passed the permission check
            wanted = (kind, str(key))
            group = next((g for g, where in self.present.items() if where == wanted), None)
            if group is None:
                await self.send_json({"type": "error", "error": "not_subscribed", "kind": kind})
                return
            viewers = await _presence(events.presence_typing)(group, self.channel_name)
            await self._announce(group, viewers)
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": "unknown_action"})

    async def disconnect(self, code):
        if getattr(self, "heartbeat_task", None):
            self.heartbeat_task.cancel()
        for group in list(getattr(self, "present", {})):
            await self._depart(group)
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message):
        await self.send_json({"type": "event", "event": message["event"], **message["payload"]})

    # --- presence ------------------------------------------------------------------------
    def _me(self) -> dict:
        user = self.scope["user"]
        return {
            "user_id": user.pk,
            "name": user.get_full_name() or user.username,
            "initials": user.display_initials,
        }

    async def _announce(self, group: str, viewers: list[dict]):
        kind, key = self.present.get(group, ("", ""))
        await self.channel_layer.group_send(group, events.presence_message(kind, key, viewers))

    async def _arrive(self, group: str, kind: str, key):
        self.present[group] = (kind, str(key))
        viewers = await _presence(events.presence_join)(group, self.channel_name, **self._me())
        await self._announce(group, viewers)
        if self.heartbeat_task is None:
            self.heartbeat_task = asyncio.ensure_future(self._heartbeat())

    async def _depart(self, group: str):
        if group not in self.present:
            return
        viewers = await _presence(events.presence_leave)(group, self.channel_name)
        await self._announce(group, viewers)
        self.present.pop(group, None)

    async def _heartbeat(self):
        with contextlib.suppress(asyncio.CancelledError):
            while True:
                await asyncio.sleep(events.PRESENCE_HEARTBEAT)
                for group in list(self.present):
                    viewers, changed = await _presence(events.presence_heartbeat)(
                        group, self.channel_name, **self._me()
                    )
                    if changed:
                        await self._announce(group, viewers)
