"""Triage really runs in a separate Celery worker (embedded filesystem broker, SQLite)."""

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

INGEST = """
import django; django.setup()
from spokes.models import Department
from spokes.ingest import mentions_ingest
billing = Department.objects.create(slug="billing", name="Billing", routing_keywords=["invoice"])
Department.objects.create(slug="support", name="Support", is_default=True)
mentions_ingest(items=[
    {"source": "twitter", "external_id": f"w-{i}", "author": {"handle": f"a{i}", "followers": 10},
     "text": text}
    for i, text in enumerate(["my invoice is wrong", "Refund me now or I sue", "hello there"])
])
"""


def test_ingested_mentions_are_triaged_by_the_worker(tmp_path):
    env = embedded_env(tmp_path, CELERY_TASK_ALWAYS_EAGER="0")
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1", "--pool", "solo",
         "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        subprocess.run([sys.executable, "-c", INGEST], cwd=ROOT, env=env, check=True)
        deadline = time.monotonic() + 40
        rows = []
        while time.monotonic() < deadline:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "firebreak.sqlite3") as db:
                rows = db.execute(
                    "SELECT m.external_id, d.slug, m.priority, m.flags, m.sla_due_at "
                    "FROM spokes_mention m LEFT JOIN spokes_department d "
                    "ON d.id = m.department_id WHERE m.triaged_at IS NOT NULL "
                    "ORDER BY m.external_id"
                ).fetchall()
            if len(rows) == 3:
                break
        assert len(rows) == 3, f"the worker triaged {len(rows)} of 3 mentions within 40 s"
        by_id = {r[0]: r for r in rows}
        assert by_id["w-0"][1] == "billing"
        assert by_id["w-1"][2] == 4 and "legal" in by_id["w-1"][3]
        assert by_id["w-2"][1] == "support"
        assert all(r[4] for r in rows)  # SLA due set
        with sqlite3.connect(tmp_path / "firebreak.sqlite3") as db:
            counted = db.execute(
                "SELECT mentions FROM spokes_spikecounter WHERE scope = 'all'"
            ).fetchall()
        assert sum(n for (n,) in counted) == 3
    finally:
        worker.terminate()
        worker.wait(timeout=20)
