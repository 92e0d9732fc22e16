"""The baseline of ``bench/fanout.py``: a bare Channels app that only forwards group messages.

No session, no database, no permission check, no presence: a socket that sends
``{"action": "subscribe", "kind": K, "key": X}`` joins the group ``bare.K.X`` and gets every
``live.event`` sent to it, shaped like Firebreak's (``{"type": "event", "event": ..., **payload}``).
The channel layer's options come from ``BARE_CHANNEL_LAYERS`` (JSON), which the benchmark copies
from Firebreak's settings so both sides talk to Redis the same way.

    BARE_CHANNEL_LAYERS='{"default": {...}}' uvicorn bench.bare_consumer:application
"""

import json
import os

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        INSTALLED_APPS=[],
        CHANNEL_LAYERS=json.loads(os.environ["BARE_CHANNEL_LAYERS"]),
    )

import django  # noqa: E402

django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402


class BareConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.joined: list[str] = []
        await self.accept()

    async def receive_json(self, content, **kwargs):
        if content.get("action") != "subscribe":
            return
        group = f"bare.{content.get('kind')}.{content.get('key')}"
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined.append(group)
        await self.send_json({"type": "subscribed", "kind": content.get("kind")})

    async def disconnect(self, code):
        for group in getattr(self, "joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message):
        await self.send_json({"type": "event", "event": message["event"], **message["payload"]})


async def _healthz(scope, receive, send):
    """200 to any HTTP request, so the benchmark can tell when the server is up."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


application = ProtocolTypeRouter(
    {"http": _healthz, "websocket": URLRouter([path("ws/live/", BareConsumer.as_asgi())])}
)
