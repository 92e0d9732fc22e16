"""Live-refresh storm: every agent watching a busy queue fetches its rows again at once.

Run it with ``make bench-refresh`` (PostgreSQL and Redis come from scripts/with-services.sh).
In a crisis each burst of live events reaches every socket of a department together, and
every open queue page then fetches its rows again (``?partial=1``, at most every 2 s each):
the requests of all the department's agents arrive in the same few milliseconds.

Data: one department with ``BENCH_AGENTS`` agents (default 50, memberships through
``membership_set``, sessions written directly) and ``BENCH_MENTIONS`` open, triaged mentions
(default 2,000). The production stack (2 uvicorn processes, no worker) serves it; the agents,
one keep-alive connection each spread over the two processes, all fetch the rows together
every 2 s for ``BENCH_SECONDS`` (default 20), first with the rows shared
(``QUEUE_ROWS_SECONDS=2``, the default), then made for every request
(``QUEUE_ROWS_SECONDS=0``), then each once more in the same order, so that a machine slowing
down weighs on both alike. Figures per setting: the web processes' CPU per refresh, the
latency from the round's start to each answer (p50, p99), and the share of answers marked
stale (``X-Firebreak-Stale``: the page asks again 2 s later). Progress goes to stderr; the
last line of stdout is one JSON object.
"""
# ruff: noqa: E402

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard ``queue`` if this script's directory led sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import http.client
import json
import os
import signal
import tempfile
import threading
import time
import urllib.parse

from bench.common import log, percentile, process_cpu_ms, session_keys_for
from scripts.prodstack import ProdStack

AGENTS = int(os.environ.get("BENCH_AGENTS", "50"))
MENTIONS = int(os.environ.get("BENCH_MENTIONS", "2000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
EVERY = 2.0  # the page's refresh rhythm (static/js/app.js)
PATH = "/d/{slug}/?status=open&partial=1"
MARKER = b'id="queue-rows"'


def prepare(department_slug: str) -> list[str]:
    """The department, its agents with sessions, and its mentions; the agents' session keys."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from spokes.models import Author, Department, Mention, Status
    from spokes.services import membership_set

    call_command("migrate", "--no-input", verbosity=0)
    department = Department.objects.create(slug=department_slug, name="Customer Support")
    user_model = get_user_model()
    agents = []
    for n in range(AGENTS):
        agent = user_model.objects.create_user(username=f"refresh-agent-{n}")
        membership_set(actor=None, user=agent, department=department, role="agent")
        agents.append(agent)
    now = timezone.now()
    authors = Author.objects.bulk_create(
        Author(source="twitter", handle=f"fan{n}", display_name=f"Fan {n}", followers=n * 37)
        for n in range(max(1, MENTIONS // 4))
    )
    Mention.objects.bulk_create(
        Mention(
            source="twitter",
            external_id=f"refresh-{n}",
            author=authors[n % len(authors)],
            reach=authors[n % len(authors)].followers,
            text=f"Still waiting for my refund, order {n}: third time I ask, nobody answers",
            url=f"https://x.com/fan{n % len(authors)}/status/{n}",
            posted_at=now - timezone.timedelta(seconds=MENTIONS - n),
            received_at=now - timezone.timedelta(seconds=MENTIONS - n),
            department=department,
            status=Status.NEW,
            priority=n % 4,
            sentiment=-0.6,
            triaged_at=now,
        )
        for n in range(MENTIONS)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    keys = session_keys_for(agents)
    connection.close()
    return keys


def storm(urls: list[str], cookies: list[str], path: str, seconds: float) -> dict:
    """Every agent fetches the rows at the same moment, every ``EVERY`` s, for ``seconds``."""
    connections = []
    for n in range(len(cookies)):
        parts = urllib.parse.urlsplit(urls[n % len(urls)])
        connections.append(http.client.HTTPConnection(parts.hostname, parts.port, timeout=30))
    latencies: list[float] = []
    counts = {"ok": 0, "stale": 0, "errors": 0}
    lock = threading.Lock()

    def fetch(n: int, started: float) -> None:
        try:
            connection = connections[n]
            connection.request("GET", path, headers={"Cookie": cookies[n], "HX-Request": "true"})
            answer = connection.getresponse()
            body = answer.read()
            ok = answer.status == 200 and MARKER in body
            stale = bool(answer.getheader("X-Firebreak-Stale"))
        except (OSError, http.client.HTTPException):
            ok, stale = False, False
        with lock:
            latencies.append((time.perf_counter() - started) * 1000)
            counts["ok" if ok else "errors"] += 1
            counts["stale"] += stale

    rounds, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        threads = [threading.Thread(target=fetch, args=(n, started)) for n in range(len(cookies))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rounds += 1
        time.sleep(max(0.0, EVERY - (time.perf_counter() - started)))
    for connection in connections:
        connection.close()
    return {"rounds": rounds, "latencies": latencies, **counts}


def run_phase(stack: ProdStack, cookies: list[str], path: str, rows_seconds: str) -> dict:
    stack.env["QUEUE_ROWS_SECONDS"] = rows_seconds
    with stack:
        pids = [pid for name, pid in stack.pids.items() if name.startswith("web-")]
        storm(stack.urls, cookies[:2], path, 1.0)  # warm up: code, connections, templates
        before = process_cpu_ms(pids)
        result = storm(stack.urls, cookies, path, SECONDS)
        result["cpu_ms"] = process_cpu_ms(pids) - before
    refreshes = result["ok"] + result["errors"]
    figures = {
        "refreshes": refreshes,
        "errors": result["errors"],
        "cpu_ms": result["cpu_ms"],
        "latencies": result["latencies"],
        "stale": result["stale"],
    }
    log(
        f"QUEUE_ROWS_SECONDS={rows_seconds}: {result['rounds']} rounds, {refreshes} refreshes, "
        f"web CPU {result['cpu_ms'] / max(refreshes, 1):.2f} ms a refresh, p50 "
        f"{percentile(result['latencies'], 50):.0f} p99 {percentile(result['latencies'], 99):.0f}"
        f" ms, {result['stale']} stale, {result['errors']} errors"
    )
    return figures


def merged(phases: list[dict]) -> dict:
    refreshes = sum(p["refreshes"] for p in phases)
    latencies = [x for p in phases for x in p["latencies"]]
    return {
        "cpu_ms": round(sum(p["cpu_ms"] for p in phases) / max(refreshes, 1), 2),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "stale_share": round(sum(p["stale"] for p in phases) / max(refreshes, 1), 3),
        "errors": sum(p["errors"] for p in phases),
    }


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # let the stack's __exit__ run
    started = time.monotonic()
    data_dir = tempfile.TemporaryDirectory(prefix="firebreak-bench.")
    stack = ProdStack(web=2, workers=0, data_dir=data_dir.name)
    os.environ.update(stack.env)  # the same SECRET_KEY signs the sessions made here

    import django

    django.setup()
    slug = "support"
    log(f"{AGENTS} agents, {MENTIONS:,} mentions in one department")
    cookies = [f"sessionid={key}" for key in prepare(slug)]
    path = PATH.format(slug=slug)
    phases: dict[str, list[dict]] = {"2": [], "0": []}
    for rows_seconds in ("2", "0", "2", "0"):
        phases[rows_seconds].append(run_phase(stack, cookies, path, rows_seconds))
        stack.prepare = False  # migrated and static files collected by the first phase
    shared, alone = merged(phases["2"]), merged(phases["0"])
    log(f"total {time.monotonic() - started:.0f}s")
    print(
        json.dumps(
            {
                "agents": AGENTS,
                "refreshes": sum(p["refreshes"] for ps in phases.values() for p in ps),
                "shared_cpu_ms": shared["cpu_ms"],
                "unshared_cpu_ms": alone["cpu_ms"],
                "shared_p50_ms": shared["p50_ms"],
                "shared_p99_ms": shared["p99_ms"],
                "unshared_p50_ms": alone["p50_ms"],
                "unshared_p99_ms": alone["p99_ms"],
                "stale_share": shared["stale_share"],
                "errors": shared["errors"] + alone["errors"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
