"""PostgreSQL restarted under a running web process: the next request is served, no restart.

The web process keeps connections open, which a database restart breaks: persistent ones
(``DB_CONN_MAX_AGE``), which ``CONN_HEALTH_CHECKS`` makes Django test at the start of each
request, or a pool's (``DB_POOL_SIZE``, as the production stack runs), which the pool checks
before lending one (``core.dbpool``); either way the process reconnects instead of failing. The
restarted cluster is a private one, so the tests running meanwhile in the other process keep
their database.
"""

import json
import urllib.request
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    free_port,
    on_production_stack,
    process_env,
    test_database_url,
    uvicorn,
    wait_http,
)

pytestmark = [on_production_stack, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def healthz(base: str) -> tuple[int, dict]:
    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read())


@pytest.mark.parametrize(
    "connections",
    [{"DB_CONN_MAX_AGE": "600"}, {"DB_POOL_SIZE": "4"}],
    ids=["persistent connections", "connection pool"],
)
def test_the_app_serves_the_first_request_after_a_database_restart(
    tmp_path, private_postgres, connections
):
    private_postgres.load_schema_of(test_database_url())
    env = process_env(tmp_path, DATABASE_URL=private_postgres.url, **connections)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = uvicorn(env, tmp_path / "web.log", port).start()
    try:
        wait_http(f"{base}/healthz", web)
        assert [healthz(base)[0] for _ in range(3)] == [200] * 3  # connections kept open
        data_directory = private_postgres.data_directory()
        assert Path(data_directory) == private_postgres.dir

        private_postgres.restart()

        status, body = healthz(base)  # the very first request after the restart
        assert status == 200 and body["database"] == "ok", web.tail()
        assert [healthz(base)[0] for _ in range(5)] == [200] * 5
        assert "Internal Server Error" not in web.tail()
    finally:
        web.stop()
