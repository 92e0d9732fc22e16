"""The embedded default really runs tasks: a Celery worker on the filesystem broker."""

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.embedded import embedded_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.worker


def test_a_task_sent_by_the_app_is_run_by_a_separate_worker(tmp_path):
    env = embedded_env(tmp_path)
    worker = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from core.tasks import record_heartbeat; "
                "record_heartbeat.delay()",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        deadline = time.monotonic() + 30
        rows = []
        while time.monotonic() < deadline and not rows:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "firebreak.sqlite3") as db:
                rows = db.execute("SELECT name FROM core_workerheartbeat").fetchall()
        assert rows, "the worker did not run the task within 30 s"
    finally:
        worker.terminate()
        worker.wait(timeout=20)
