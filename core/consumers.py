"""The one websocket consumer: authenticate by session, subscribe after a permission check."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.errors import NotFound
from core.events import department_group, hub_group, mention_group, user_group


@database_sync_to_async
def _resolve_group(user, kind: str, key) -> str | None:
    """The group name for a subscription request, or None if the user may not see it."""
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
    if kind == "hub" and user.is_central_comms:
        return hub_group()
    return None


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.groups_joined: set[str] = set()
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
        elif action == "unsubscribe":
            group = await _resolve_group(self.scope["user"], kind, key)
            if group and group in self.groups_joined:
                await self.channel_layer.group_discard(group, self.channel_name)
                self.groups_joined.discard(group)
        elif action == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "error": "unknown_action"})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message):
        await self.send_json({"type": "event", "event": message["event"], **message["payload"]})
