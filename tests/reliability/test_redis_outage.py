"""Redis stopped while mentions arrive and replies are approved: writes succeed, nothing is lost.

A real uvicorn process and Celery worker use a private Redis (broker, channel layer, cache) and
the test database. With Redis down, enqueueing after commit fails fast and is logged instead of
turning the committed write into a 500; live events are dropped (clients refetch). Once Redis is
back, the outbox sweeper re-enqueues what is still pending: every mention gets triaged and every
approved reply delivered.
"""

import json
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import integration_key_create
from replies.models import DeliveryChannel, Reply, ReplyState
from spokes.models import Mention
from tests.factories import MentionFactory
from tests.reliability.conftest import (
    ROOT,
    Receiver,
    celery_worker,
    free_port,
    on_production_stack,
    process_env,
    uvicorn,
    wait_http,
    wait_until,
)

pytestmark = [on_production_stack, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MENTIONS = 12
APPROVALS = 4


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(method: str, url: str, *, body: bytes | None = None, headers: dict) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
    started = time.monotonic()
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.monotonic() - started


def sweep(env: dict) -> None:
    code = (
        "import django; django.setup(); from datetime import timedelta; "
        "from core.outbox import sweep_pending_work; "
        "sweep_pending_work(older_than=timedelta(0))"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)  # noqa: S603


@pytest.fixture
def pending_replies(agent, billing):
    return [
        Reply.objects.create(
            mention=MentionFactory(department=billing),
            author=agent,
            text=f"Refund on its way ({n})",
            state=ReplyState.PENDING_APPROVAL,
            approval_reasons=["Department policy: every reply is approved."],
            submitted_at=timezone.now() - timedelta(minutes=1),
        )
        for n in range(APPROVALS)
    ]


def test_writes_succeed_during_a_redis_outage_and_the_work_runs_once_it_is_back(
    tmp_path, private_redis, billing, comms, pending_replies
):
    _, api_key = integration_key_create(
        actor=None, name="Listening tool", departments=[billing], scopes=["read", "write"]
    )
    browser = Client()
    browser.force_login(comms)
    csrf = secrets.token_hex(16)
    session_headers = {
        "Cookie": f"sessionid={browser.cookies['sessionid'].value}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    # Rate limiting off here: its cache counter needs Redis (see the test below).
    env = process_env(tmp_path, REDIS_URL=private_redis.url, API_RATE_LIMIT="")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = uvicorn(env, tmp_path / "web.log", port).start()
    worker = celery_worker(env, tmp_path / "worker.log").start()
    with Receiver() as receiver:
        DeliveryChannel.objects.create(
            source="twitter", connector="webhook", url=receiver.url, secret="s3cret"
        )
        try:
            wait_http(f"{base}/healthz", web)
            private_redis.stop()

            answers = []
            for n in range(MENTIONS):
                item = {
                    "source": "twitter",
                    "external_id": f"outage-{n}",
                    "author": {"handle": f"caller{n}", "followers": 10},
                    "text": "My card was charged twice and the app is down",
                    "department": "billing",
                }
                answers.append(
                    call(
                        "POST",
                        f"{base}/api/v1/mentions/",
                        body=json.dumps(item).encode(),
                        headers={
                            "Authorization": f"Api-Key {api_key}",
                            "Content-Type": "application/json",
                        },
                    )
                )
            for reply in pending_replies:
                answers.append(
                    call(
                        "POST",
                        f"{base}/replies/{reply.pk}/decide/",
                        body=b"decision=approve&comment=ok",
                        headers=session_headers,
                    )
                )
            statuses = [status for status, _ in answers]
            assert statuses == [201] * MENTIONS + [302] * APPROVALS, web.tail()
            assert max(seconds for _, seconds in answers) < 5

            stored = Mention.objects.filter(external_id__startswith="outage-")
            assert stored.count() == MENTIONS
            assert not stored.filter(triaged_at__isnull=False).exists()  # nothing ran meanwhile
            assert set(Reply.objects.values_list("state", flat=True)) == {ReplyState.QUEUED}

            private_redis.start()  # an empty Redis: whatever it held before is gone

            def caught_up():
                sweep(env)
                return (
                    not stored.filter(triaged_at__isnull=True).exists()
                    and not Reply.objects.exclude(state=ReplyState.SENT).exists()
                )

            wait_until(caught_up, timeout=90, interval=3, message=worker.tail())
        finally:
            web.stop()
            worker.stop()

    assert stored.exclude(priority=None).count() == MENTIONS
    assert {r.idempotency_key.hex for r in Reply.objects.all()} == {
        key.replace("-", "") for key in receiver.hits
    }


def test_the_ingestion_api_keeps_accepting_mentions_while_the_cache_is_down(settings, billing):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }
    _, api_key = integration_key_create(
        actor=None, name="Listening tool", departments=[billing], scopes=["write"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key}")
    item = {"source": "twitter", "external_id": "x1", "author": {"handle": "a"}, "text": "hi"}
    response = client.post("/api/v1/mentions/", item, format="json")
    assert response.status_code == 201
    assert Mention.objects.filter(external_id="x1").exists()
