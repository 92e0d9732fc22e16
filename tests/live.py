"""Websocket helpers shared by the tests of the live consumer."""

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application


async def connect(user, origin: bytes = b"http://127.0.0.1"):
    """Open ``/ws/live/`` as ``user`` (None: anonymous); returns (communicator, connected,
    close code)."""
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if user is not None:
        client = Client()
        await sync_to_async(client.force_login)(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code
