"""Two ASGI server processes on PostgreSQL + Redis: an incident change reaches both.

Runs in the Redis stage (``scripts/with-services.sh``); skipped in the embedded default, where
the in-memory channel layer cannot cross processes by design.
"""

import asyncio
import json
import os

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import Client

from incidents import services
from tests.incidents.asgi_servers import uvicorn_servers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (
            os.environ.get("DATABASE_URL", "").startswith("postgres")
            and os.environ.get("REDIS_URL")
        ),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]


@pytest.fixture
def servers(tmp_path, db):
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT']}/{settings['NAME']}"
    )
    env = {"DATABASE_URL": database_url, "REDIS_URL": os.environ["REDIS_URL"], "DEBUG": "1"}
    with uvicorn_servers(2, env, tmp_path) as urls:
        yield urls


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _open(base_url: str, cookie: str, incident_id: int):
    socket = await websockets.connect(
        base_url.replace("http://", "ws://") + "/ws/live/",
        origin=base_url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
    )
    await socket.send(json.dumps({"action": "subscribe", "kind": "incident", "key": incident_id}))
    return socket


async def _wait_for(socket, predicate, timeout=10):
    async def loop():
        while True:
            message = json.loads(await socket.recv())
            if predicate(message):
                return message

    return await asyncio.wait_for(loop(), timeout)


def test_an_incident_change_reaches_sockets_on_both_processes(
    servers, incident, comms, agent, lead
):
    # A loop of its own in a thread of its own: a Playwright test earlier in the same process
    # leaves its event loop running in the main thread.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _scenario(servers, incident, comms, agent, lead)).result(
            timeout=120
        )


async def _scenario(servers, incident, comms, agent, lead):
    first = await _open(servers[0], await sync_to_async(_session_cookie)(agent), incident.pk)
    second = await _open(servers[1], await sync_to_async(_session_cookie)(lead), incident.pk)
    try:
        for socket in (first, second):
            await _wait_for(socket, lambda m: m.get("type") == "subscribed")
        # presence crosses processes too: the first socket learns the second one arrived
        await _wait_for(
            first,
            lambda m: (
                m.get("event") == "presence.changed"
                and {v["user_id"] for v in m["viewers"]} == {agent.pk, lead.pk}
            ),
        )
        fact = await sync_to_async(services.incident_add_fact)(
            actor=comms, incident_id=incident.pk, text="Seen on both processes"
        )
        for socket in (first, second):
            event = await _wait_for(socket, lambda m: m.get("event") == "incident.fact_added")
            assert event["id"] == incident.pk and event["fact_id"] == fact.pk
    finally:
        await first.close()
        await second.close()
