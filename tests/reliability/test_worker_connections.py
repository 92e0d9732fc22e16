"""A Celery worker keeps its database connection from task to task (``DB_CONN_MAX_AGE``) and
still serves the next task after PostgreSQL restarts, without being restarted itself.

A real worker on a private broker and a private PostgreSQL cluster; the connection is found by
its application name (libpq's ``PGAPPNAME``) in ``pg_stat_activity``.
"""

import secrets
import time

import psycopg
import pytest
from celery import Celery

from tests.reliability.conftest import (
    celery_worker,
    on_production_stack,
    process_env,
    test_database_url,
    wait_until,
)

pytestmark = [on_production_stack, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _query(url: str, sql: str, params=()):
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        return db.execute(sql, params).fetchall()


def test_the_worker_keeps_its_connection_between_tasks_and_survives_a_restart(
    tmp_path, private_postgres, private_redis
):
    private_postgres.load_schema_of(test_database_url())
    name = f"firebreak-worker-{secrets.token_hex(4)}"
    env = process_env(
        tmp_path,
        DATABASE_URL=private_postgres.url,
        REDIS_URL=private_redis.url,
        CELERY_BROKER_URL=private_redis.url,
        DB_CONN_MAX_AGE="600",
        PGAPPNAME=name,
    )
    sender = Celery(broker=private_redis.url)
    worker = celery_worker(env, tmp_path / "worker.log", concurrency=1).start()

    def heartbeat() -> None:
        """Send the heartbeat task and wait until the worker has stored it."""
        sent = time.time()
        sender.send_task("core.tasks.record_heartbeat")
        wait_until(
            lambda: (
                _query(
                    private_postgres.url,
                    "SELECT count(*) FROM core_workerheartbeat WHERE seen_at >= to_timestamp(%s)",
                    [sent],
                )[0][0]
                > 0
            ),
            timeout=60,
            message=f"the heartbeat was not stored:\n{worker.tail()}",
        )

    def backends() -> list:
        return _query(
            private_postgres.url,
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
            [name],
        )

    try:
        heartbeat()
        kept = backends()
        assert len(kept) == 1, kept  # left open after the task (it was closed after each)
        for _ in range(3):
            heartbeat()
        assert backends() == kept  # the same connection served every task

        private_postgres.restart()

        heartbeat()  # the first task after the restart reconnects instead of failing
        assert len(backends()) == 1 and backends() != kept
        assert "Traceback" not in worker.tail()
    finally:
        worker.stop()
        sender.close()
