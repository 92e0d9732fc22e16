"""Ingestion under load, at a small scale: bench/load.py against the running PostgreSQL + Redis.

The benchmark starts its own production stack (2 uvicorn processes, a Celery worker) on a
database it creates next to the test database and drops afterwards, and on an empty Redis
logical database, so it shares nothing with the tests running meanwhile. The full run (60 s at
300 POSTs/s, 200 sockets) is ``make bench-load``.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.reliability.conftest import ROOT, on_production_stack

pytestmark = [on_production_stack, pytest.mark.worker]

SMALL = ["--duration", "8", "--rate", "15", "--sockets", "12", "--pagers", "2"]
SMALL += ["--depth", "4", "--seed", "150", "--drain", "120", "--port", "8900"]


def test_a_small_load_run_loses_nothing_and_every_socket_sees_every_mention():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), *SMALL],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])

    assert result["requests"] == 8 * 15
    assert result["rate_per_s"] > 0
    failures = {k: result[k] for k in ("errors", "lost", "duplicated", "events_missed")}
    assert failures == {"errors": 0, "lost": 0, "duplicated": 0, "events_missed": 0}, (
        completed.stderr[-4000:]
    )
    assert result["p50_ms"] is not None and result["p99_ms"] >= result["p50_ms"]
