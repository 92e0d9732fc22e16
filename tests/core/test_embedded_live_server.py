"""The embedded default, as ``make run`` serves it: SQLite, the in-memory channel layer, one
real uvicorn process. A mention POSTed over HTTP (a request thread) reaches a websocket of the
same process (the server's event loop), through the in-memory layer."""

import asyncio
import json
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import websockets

from tests.embedded import embedded_env
from tests.incidents.asgi_servers import _wait_ready, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

SETUP = """
import json
import django
django.setup()
from django.test import Client
from accounts.models import User
from api.services import integration_key_create
from spokes.models import Department
from spokes.services import membership_set
billing = Department.objects.create(slug="billing", name="Billing", is_default=True)
agent = User.objects.create_user("agent", password="x")
membership_set(actor=None, user=agent, department=billing, role="agent")
client = Client()
client.force_login(agent)
_, key = integration_key_create(
    actor=None, name="tool", departments=[billing], scopes=["read", "write"]
)
print(json.dumps({"cookie": client.cookies["sessionid"].value, "key": key}))
"""


@pytest.fixture
def embedded(tmp_path):
    env = embedded_env(tmp_path)
    made = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, capture_output=True
    )
    secrets = json.loads(made.stdout.decode().strip().splitlines()[-1])
    port = free_port()
    log = tmp_path / "uvicorn.log"
    with log.open("w") as handle:
        server = subprocess.Popen(
            [str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_ready(server, port, log)
            yield f"http://127.0.0.1:{port}", secrets
        finally:
            server.terminate()
            server.wait(timeout=10)


def _post(base_url: str, key: str, external_id: str) -> dict:
    body = {
        "source": "twitter",
        "external_id": external_id,
        "author": {"handle": "jo", "followers": 3},
        "text": "My invoice is wrong",
        "department": "billing",  # routed at once: announced on commit, before triage
    }
    request = urllib.request.Request(  # noqa: S310 - our loopback server
        f"{base_url}/api/v1/mentions/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our loopback
        assert response.status == 201
        return json.loads(response.read())


async def _scenario(base_url: str, secrets: dict) -> list[dict]:
    async with websockets.connect(
        base_url.replace("http://", "ws://") + "/ws/live/",
        origin=base_url,
        additional_headers={"Cookie": f"sessionid={secrets['cookie']}"},
    ) as socket:
        await socket.send(
            json.dumps({"action": "subscribe", "kind": "department", "key": "billing"})
        )
        assert json.loads(await socket.recv())["type"] == "subscribed"
        loop = asyncio.get_running_loop()
        received = []
        for n in range(3):  # several: the first binds the server loop, the rest use it
            await loop.run_in_executor(None, _post, base_url, secrets["key"], f"emb-{n}")

            async def next_received():
                while True:
                    message = json.loads(await socket.recv())
                    if message.get("event") == "mention.received":
                        return message

            received.append(await asyncio.wait_for(next_received(), 10))
        return received


def test_a_posted_mention_reaches_a_socket_of_the_embedded_server(embedded):
    base_url, secrets = embedded
    with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own (see the two-process test)
        received = pool.submit(asyncio.run, _scenario(base_url, secrets)).result(timeout=60)
    assert [event["count"] for event in received] == [1, 1, 1]
