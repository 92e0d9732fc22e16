"""Ingestion under load: steady single-mention POSTs while agents watch and page their queues.

Run it with ``make bench-load`` (PostgreSQL and Redis come from scripts/with-services.sh), or
against services already running: ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` set, e.g.
``.venv/bin/python bench/load.py --duration 10 --rate 50 --sockets 20``.

The production stack (2 uvicorn processes, one Celery worker, channels-redis) runs on a fresh
database ``firebreak_load_<pid>`` created on the server of ``DATABASE_URL`` and dropped at the
end (``--reuse-database`` uses the given one instead), and on an empty Redis logical database
(``--redis-db``), so that nothing else using the same servers sees its tasks or events.

Three kinds of client, each in a process of its own:

* the ingester: open-loop POSTs to ``/api/v1/mentions/`` (``Authorization: Api-Key``), one
  mention each, at ``--rate`` per second for ``--duration`` seconds, every one with a unique
  external id, round robin over the web processes on keep-alive connections (opened as
  needed). Request ``n`` is due at ``start + n / rate`` whatever happened to the ones before;
  its latency runs from that moment to the last byte of the answer;
* the watchers: ``--sockets`` agents' websockets (sessions made directly, no logins), spread
  over the departments and subscribed to their department's queue, noting every
  ``mention.triaged`` (which carries the mention ids) and ``mention.received`` (a count);
* the pagers (threads of the main process): a few agents reading their queue, first page then
  following "Next page" deep into it, over and over.

Afterwards, once the worker has triaged everything and the sockets are quiet: errors (non-2xx
answers or failed requests, sockets that failed or were dropped), lost mentions (accepted but
not in the database, or not under the id the answer gave), duplicated ones (an external id
stored twice, a new external id answered as already known, or two requests answered with the
same mention), events missed (accepted mentions whose id did not reach every socket of their
department), and POST latency. Progress goes to stderr; the last line of stdout is one JSON
object. See bench/README.md.
"""
# ruff: noqa: E402 - the path must be fixed before anything imports the standard ``queue``.

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py shadows the standard ``queue`` (multiprocessing imports it): keep bench/ off
# sys.path, and the project root on it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse
import asyncio
import collections
import contextlib
import http.client
import json
import multiprocessing
import multiprocessing.connection
import os
import random
import resource
import signal
import tempfile
import threading
import time
import urllib.parse

from bench.common import (
    Http,
    HttpSession,
    link_by_id,
    log,
    machine_reference,
    percentile,
    session_keys_for,
    stack_cpu,
)
from scripts.prodstack import ProdStack

DEPARTMENTS = [("billing", "Billing"), ("baggage", "Baggage"), ("flights", "Flights"),
               ("stores", "Stores")]  # fmt: skip
KEYWORDS = {
    "billing": ["invoice", "refund", "charged"],
    "baggage": ["bag", "luggage", "suitcase"],
    "flights": ["flight", "delayed", "gate"],
    "stores": ["store", "checkout", "basket"],
}
FILLER = [
    "my", "still", "again", "why", "no", "help", "waiting", "hours", "please", "thanks",
    "service", "customer", "app", "today", "terrible", "great", "love", "worst", "best", "team",
    "reply", "answer", "nobody", "finally", "twice",
]  # fmt: skip
HANDLES = 5000  # distinct authors: some post more than once, as in a real storm
CONNECTIONS = 32  # per web process, at most, as a proxy's upstream pool would allow
EVENTS = (b'"mention.triaged"', b'"mention.received"')


def server_log_errors(log_dir: Path) -> None:
    """Tracebacks and warnings in the stack's logs (they go with the stack's directory)."""
    for logfile in sorted(log_dir.glob("*.log")):
        text = logfile.read_text(errors="replace")
        count = text.count("Traceback")
        if count:
            first = text[text.index("Traceback") :][:3000]
            log(f"{logfile.name}: {count} tracebacks; the first:\n{first}")
        lines = collections.Counter(
            line.strip()[:160] for line in text.splitlines() if line and not line[0].isspace()
        )
        for line, times in lines.most_common(5):
            log(f"{logfile.name}: {times} x {line}")


def pct(samples: list[float], p: float) -> float | None:
    return round(percentile(samples, p), 1) if samples else None


# --- the ingester (a process of its own) ---------------------------------------------------
def mention_payload(run: str, n: int, slugs: list[str], rnd: random.Random) -> dict:
    """Half name their department (as a tool watching one brand account would), half are
    routed by triage on the department's keywords; 1 in 10 goes to the default department."""
    slug = slugs[(n // 2) % len(slugs)]
    words = rnd.sample(FILLER, 8)
    if n % 10 != 9:
        words.insert(rnd.randrange(len(words)), rnd.choice(KEYWORDS[slug]))
    handle = f"fan{rnd.randrange(HANDLES)}"
    item = {
        "source": "twitter",
        "external_id": f"{run}-{n}",
        "author": {"handle": handle, "followers": int(handle[3:]) * 7 % 50000},
        "text": " ".join(words),
        "url": f"https://social.example/{handle}/{run}-{n}",
    }
    if n % 2 == 0 and n % 10 != 9:
        item["department"] = slug
    return item


async def ingest(urls, key, rate, duration, run, slugs, warmup, timeout) -> dict:
    servers = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        servers.append(Http(parts.hostname, parts.port, CONNECTIONS))
    rnd = random.Random(run)
    total = int(rate * duration)
    records = []  # (n, status, mention id, latency ms from due time, from sending, error)
    loop = asyncio.get_running_loop()

    def raw_request(server: Http, body: bytes) -> bytes:
        return (
            f"POST /api/v1/mentions/ HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
            f"Authorization: Api-Key {key}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def one(n: int, due: float, warm: bool):
        server = servers[n % len(servers)]
        body = json.dumps(mention_payload(run, n, slugs, rnd)).encode()
        sent = loop.time()
        status, mention_id, error = 0, None, None
        try:
            queued = timeout - (loop.time() - due)
            status, answer = await server.request(raw_request(server, body), timeout, queued)
            if 200 <= status < 300:
                mention_id = json.loads(answer).get("id")
            else:
                error = answer[:200].decode("utf-8", "replace")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            error = repr(exc)[:200]
        done = loop.time()
        records.append(
            (n, status, mention_id, (done - due) * 1000, (done - sent) * 1000, error, warm,
             time.monotonic())
        )  # fmt: skip

    tasks = []
    # A short unmeasured warm-up (first requests import code, open database connections).
    for n in range(-warmup, 0):
        tasks.append(asyncio.ensure_future(one(n, loop.time(), True)))
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks)
    tasks.clear()
    start = loop.time() + 0.1
    lag = []
    for n in range(total):
        due = start + n / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lag.append((loop.time() - due) * 1000)
        tasks.append(asyncio.ensure_future(one(n, due, False)))
    sending = loop.time() - start
    await asyncio.gather(*tasks)
    return {
        "records": records,
        "sending": sending,
        "elapsed": loop.time() - start,
        "send_lag_p99": pct(lag, 99),
        "connections": sum(s.opened for s in servers),
        "total": total,
    }


def ingester_main(conn, *args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import uvloop

        result = uvloop.run(ingest(*args))
    except ImportError:
        result = asyncio.run(ingest(*args))
    conn.send(result)


# --- the watchers (processes of their own) -------------------------------------------------
class Watchers:
    """Runs in a client process: opens its sockets, notes the events, reports on request."""

    def __init__(self, conn, targets):
        self.conn, self.targets = conn, targets
        # department -> mention id -> [sockets that saw it, last arrival (monotonic)]
        self.seen: dict[str, dict] = collections.defaultdict(dict)
        self.received: dict[str, collections.Counter] = collections.defaultdict(
            collections.Counter
        )  # department -> socket index -> sum of mention.received counts
        self.sockets_by_dept = collections.Counter()
        self.frames = 0
        self.last_frame = time.monotonic()
        self.failed: list[str] = []
        self.dropped = 0
        self.stopped = asyncio.Event()
        self.sockets = []

    async def run(self):
        import websockets

        loop = asyncio.get_running_loop()
        loop.add_reader(self.conn.fileno(), self._on_order)
        limit = asyncio.Semaphore(25)

        async def open_one(index, ws_url, origin, cookie, slug):
            async with limit:
                ws = await websockets.connect(
                    ws_url,
                    origin=origin,
                    additional_headers={"Cookie": cookie},
                    compression=None,
                    ping_interval=None,
                    max_size=2**24,
                    open_timeout=60,
                    close_timeout=10,
                )
                await ws.send(
                    json.dumps({"action": "subscribe", "kind": "department", "key": slug})
                )
                while True:
                    data = await asyncio.wait_for(ws.recv(decode=False), 60)
                    if b'"subscribed"' in data:
                        break
                    if b'"error"' in data:
                        await ws.close()
                        raise RuntimeError(f"subscription refused: {data[:200]!r}")
            self.sockets.append(ws)
            self.sockets_by_dept[slug] += 1
            return asyncio.ensure_future(self._read(index, ws, slug))

        results = await asyncio.gather(
            *(open_one(i, *t) for i, t in enumerate(self.targets)), return_exceptions=True
        )
        readers = [r for r in results if not isinstance(r, BaseException)]
        self.failed = [repr(r)[:200] for r in results if isinstance(r, BaseException)]
        self.conn.send(("connected", len(readers), self.failed[:3], len(self.failed)))
        await self.stopped.wait()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*(self._close(ws) for ws in self.sockets))

    @staticmethod
    async def _close(ws):
        with contextlib.suppress(Exception):
            await ws.close()

    async def _read(self, index, ws, slug):
        from websockets.exceptions import ConnectionClosed

        seen, received = self.seen[slug], self.received[slug]
        try:
            while True:
                data = await ws.recv(decode=False)
                now = time.monotonic()
                self.frames += 1
                self.last_frame = now
                if EVENTS[0] in data:
                    for mention_id in json.loads(data).get("ids", ()):
                        entry = seen.get(mention_id)
                        if entry is None:
                            seen[mention_id] = [1, now]
                        else:
                            entry[0] += 1
                            entry[1] = now
                elif EVENTS[1] in data:
                    received[index] += json.loads(data).get("count", 0)
        except ConnectionClosed:
            self.dropped += 1
        except asyncio.CancelledError:
            pass

    def _on_order(self):
        order = self.conn.recv()
        if order == "quiet":
            self.conn.send(("quiet", self.frames, time.monotonic() - self.last_frame))
        elif order == "report":
            self.conn.send(
                (
                    "report",
                    {k: dict(v) for k, v in self.seen.items()},
                    {k: dict(v) for k, v in self.received.items()},
                    dict(self.sockets_by_dept),
                    self.dropped,
                    self.frames,
                )
            )
        elif order == "stop":
            self.stopped.set()


def watcher_main(conn, targets) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watchers = Watchers(conn, targets)
    try:
        import uvloop

        uvloop.run(watchers.run())
    except ImportError:
        asyncio.run(watchers.run())
    conn.send(("stopped",))


def ask(conns, order, kind: str, timeout: float) -> list[tuple]:
    for conn in conns:
        conn.send(order)
    answers, pending, deadline = [], set(conns), time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for conn in multiprocessing.connection.wait(list(pending), deadline - time.monotonic()):
            answer = conn.recv()
            if answer[0] == kind:
                answers.append(answer)
                pending.discard(conn)
    return answers


# --- the pagers (threads) ------------------------------------------------------------------
def pager(urls, cookie, slug, depth, stop: threading.Event, out: dict) -> None:
    session = HttpSession(urls, cookies={"sessionid": cookie})
    queue = f"/d/{slug}/"
    while not stop.is_set():
        path, level = queue, 0
        while path and level < depth and not stop.is_set():
            try:
                try:
                    page = session.get(path)
                except (http.client.RemoteDisconnected, ConnectionResetError):
                    # the server closed an idle keep-alive connection as we reused it: what
                    # every HTTP client does, retry once on a new connection
                    session.close()
                    session = HttpSession(urls, cookies=session.cookies)
                    page = session.get(path)
            except (OSError, http.client.HTTPException) as exc:
                out["errors"].append(f"GET {path}: {exc!r}")
                session.close()
                session = HttpSession(urls, cookies={"sessionid": cookie})
                break
            if page.status != 200:
                out["errors"].append(f"GET {path}: HTTP {page.status}")
                break
            out["first" if level == 0 else "deep"].append(page.elapsed_ms)
            out["max_depth"] = max(out["max_depth"], level)
            href = link_by_id(page.body, "next-page")
            path = (queue + href if href.startswith("?") else href) if href else None
            level += 1
            stop.wait(0.2)  # an agent reads before paging on
    session.close()


# --- data ----------------------------------------------------------------------------------
def create_people(sockets: int, pagers: int, seed_per_department: int):
    """Departments with routing keywords, agents with sessions, an API key, older mentions."""
    from django.contrib.auth import (
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from api.services import integration_key_create
    from spokes import services
    from spokes.models import Author, Department, Mention

    User = get_user_model()
    departments = []
    for n, (slug, name) in enumerate(DEPARTMENTS):
        department = services.department_create(actor=None, name=name, slug=slug)
        Department.objects.filter(pk=department.pk).update(
            routing_keywords=KEYWORDS[slug], is_default=n == 0
        )
        departments.append(department)
    people = User.objects.bulk_create(
        [
            User(
                username=f"load-agent-{n:04d}",
                first_name="Agent",
                last_name=f"No {n}",
                email=f"load-agent-{n:04d}@example.com",
                password=make_password(None),
            )
            for n in range(max(sockets, pagers))
        ]
    )
    for n, person in enumerate(people):
        department = departments[n % len(departments)]
        services.membership_set(actor=None, user=person, department=department, role="agent")
    session_keys = session_keys_for(people)
    agents = [(k, departments[n % len(departments)].slug) for n, k in enumerate(session_keys)]
    _, key = integration_key_create(
        actor=None, name="load monitor", departments=departments, scopes=["read", "write"]
    )

    # Older, triaged mentions, so that the pagers have deep pages from the start.
    authors = Author.objects.bulk_create(
        [Author(source="forum", handle=f"old{n}", display_name=f"Old {n}") for n in range(500)]
    )
    past = timezone.now() - timezone.timedelta(days=2)
    rows = []
    for department in departments:
        for n in range(seed_per_department):
            at = past - timezone.timedelta(seconds=n * 7)
            rows.append(
                Mention(
                    source="forum",
                    external_id=f"old-{department.slug}-{n}",
                    author=authors[n % len(authors)],
                    text=f"Earlier post {n} about {KEYWORDS[department.slug][0]}",
                    posted_at=at,
                    received_at=at,
                    department=department,
                    triaged_at=at,
                    sla_due_at=at + timezone.timedelta(days=3),
                )
            )
    Mention.objects.bulk_create(rows, batch_size=2000)
    # The planner's statistics, as a database in use has them: the tables were just filled in
    # bulk and autovacuum would analyze them only after the run (without, the queue page
    # sorted every open mention of the department instead of reading the newest 51).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return departments, agents, key


# --- databases -----------------------------------------------------------------------------
def server_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute(sql)


def free_redis_url(url: str, wanted: int | None) -> str:
    """The same Redis, on logical database ``wanted`` or the first empty one from 1 on."""
    import redis

    parts = urllib.parse.urlsplit(url)
    candidates = [wanted] if wanted is not None else [(os.getpid() + n) % 15 + 1 for n in range(15)]
    for db in candidates:
        candidate = urllib.parse.urlunsplit(parts._replace(path=f"/{db}"))
        client = redis.Redis.from_url(candidate)
        try:
            if wanted is not None or client.dbsize() == 0:
                return candidate
        finally:
            client.close()
    raise RuntimeError("no empty Redis logical database: pass --redis-db")


# --- the run -------------------------------------------------------------------------------
def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (60)")
    parser.add_argument("--rate", type=float, default=300, help="POSTs per second (300)")
    parser.add_argument("--sockets", type=int, default=200, help="agents' websockets (200)")
    parser.add_argument("--pagers", type=int, default=4, help="agents paging queues (4)")
    parser.add_argument("--depth", type=int, default=20, help="pages deep each pager goes (20)")
    parser.add_argument("--seed", type=int, default=2000, help="older mentions per department")
    parser.add_argument("--web", type=int, default=2, help="uvicorn processes (2)")
    parser.add_argument("--workers", type=int, default=1, help="Celery workers (1)")
    parser.add_argument("--concurrency", type=int, default=2, help="per Celery worker (2)")
    parser.add_argument("--watcher-processes", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30, help="per POST (s)")
    parser.add_argument("--drain", type=float, default=180, help="max wait for triage (s)")
    parser.add_argument("--reuse-database", action="store_true", help="use DATABASE_URL's own")
    parser.add_argument("--redis-db", type=int, default=None, help="Redis logical database")
    parser.add_argument("--port", type=int, default=8700, help="first web port (8700)")
    parser.add_argument(
        "--dump", default=None, help="write each measured POST (due, latency ms) here as JSON"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # let the cleanup below run
    started = time.monotonic()
    given_db, given_redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not given_db.startswith("postgres") or not given_redis:
        raise SystemExit("DATABASE_URL (PostgreSQL) and REDIS_URL must be set")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))

    name = f"firebreak_load_{os.getpid()}"
    bench_db = given_db if args.reuse_database else server_database(given_db, name)
    if not args.reuse_database:
        admin_sql(given_db, f'CREATE DATABASE "{name}"')
        log(f"database {name} created")
    os.environ["DATABASE_URL"] = bench_db
    os.environ["REDIS_URL"] = free_redis_url(given_redis, args.redis_db)
    os.environ["API_RATE_LIMIT"] = "1000000/min"
    log(f"redis: {os.environ['REDIS_URL']}")

    data_dir = tempfile.TemporaryDirectory(prefix="firebreak-load.")
    stack = ProdStack(
        web=args.web,
        workers=args.workers,
        concurrency=args.concurrency,
        base_port=args.port,
        data_dir=data_dir.name,
    )
    os.environ.update(stack.env)  # the same SECRET_KEY signs the sessions made here
    context = multiprocessing.get_context("spawn")
    watchers, processes = [], []
    try:
        with stack:
            try:
                result = run(args, stack, context, watchers, processes)
            finally:
                server_log_errors(stack.log_dir)
    finally:
        for conn in watchers:
            with contextlib.suppress(OSError):
                conn.send("stop")
        for process in processes:
            process.join(timeout=20)
            if process.is_alive():
                process.kill()
                process.join()
        from django.db import connections

        connections.close_all()
        if not args.reuse_database:
            admin_sql(given_db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            log(f"database {name} dropped")
        with contextlib.suppress(Exception):
            import redis

            redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        data_dir.cleanup()
    log(f"total {time.monotonic() - started:.0f}s")
    print(json.dumps(result), flush=True)
    return 0


def run(args, stack, context, watchers, processes) -> dict:
    import django

    django.setup()
    from django.db import connection

    from spokes.models import Mention

    step = time.monotonic()
    departments, agents, key = create_people(args.sockets, args.pagers, args.seed)
    slugs = [d.slug for d in departments]
    log(
        f"{len(slugs)} departments, {len(agents)} agents with sessions, "
        f"{args.seed * len(slugs)} older mentions in {time.monotonic() - step:.1f}s"
    )
    connection.close()
    pids = stack.pids

    # watchers
    step = time.monotonic()
    per = [[] for _ in range(args.watcher_processes)]
    for n, (cookie, slug) in enumerate(agents[: args.sockets]):
        url = stack.urls[n % len(stack.urls)]
        target = (url.replace("http://", "ws://") + "/ws/live/", url, f"sessionid={cookie}", slug)
        per[n % len(per)].append(target)
    for targets in per:
        mine, theirs = context.Pipe()
        process = context.Process(target=watcher_main, args=(theirs, targets), daemon=True)
        process.start()
        watchers.append(mine)
        processes.append(process)
    errors = collections.Counter()
    opened = 0
    for conn in watchers:
        if not conn.poll(180):
            raise RuntimeError("websockets not connected after 180s")
        _, count, failures, failed = conn.recv()
        opened += count
        if failed:
            errors["socket connect"] += failed
            log(f"{failed} sockets failed, e.g. {failures}")
    log(f"{opened} sockets subscribed in {time.monotonic() - step:.1f}s")

    # pagers
    stop = threading.Event()
    paging = {"first": [], "deep": [], "errors": [], "max_depth": 0}
    threads = [
        threading.Thread(
            target=pager,
            args=(stack.urls, cookie, slug, args.depth, stop, paging),
            daemon=True,
        )
        for cookie, slug in agents[: args.pagers]
    ]

    # the load
    run_id = f"load{os.getpid()}"
    mine, theirs = context.Pipe()
    ingester = context.Process(
        target=ingester_main,
        args=(theirs, stack.urls, key, args.rate, args.duration, run_id, slugs, 30, args.timeout),
        daemon=True,
    )
    reference_before = machine_reference()
    load_before = os.getloadavg()
    cpu_before = stack_cpu(pids)
    ingester.start()
    processes.append(ingester)
    for thread in threads:
        thread.start()
    log(f"{args.rate:g} POSTs/s for {args.duration:g}s, {len(threads)} pagers")
    if not mine.poll(args.duration + 2 * args.timeout + 120):
        raise RuntimeError("the ingester did not finish in time")
    load = mine.recv()
    stop.set()
    for thread in threads:
        thread.join(timeout=args.timeout + 5)
    cpu = {k: round(v - cpu_before.get(k, 0.0), 1) for k, v in stack_cpu(pids).items()}
    load_after = os.getloadavg()
    records = load["records"]
    log(
        f"{load['total']} POSTs due over {load['sending']:.1f}s, the last answered or timed out "
        f"after {load['elapsed']:.1f}s; {load['connections']} connections "
        f"(scheduling lag p99 {load['send_lag_p99']} ms); stack CPU seconds {cpu}"
    )

    # drain: the worker triages the backlog; then the sockets go quiet
    step = time.monotonic()
    accepted = {r[0]: r for r in records if 200 <= r[1] < 300}
    external = {f"{run_id}-{n}": n for n in accepted}
    pending = None
    while time.monotonic() - step < args.drain:
        pending = Mention.objects.filter(
            external_id__startswith=f"{run_id}-", triaged_at__isnull=True
        ).count()
        if pending == 0:
            break
        time.sleep(1)
    log(f"triage backlog drained in {time.monotonic() - step:.1f}s ({pending} left)")
    step = time.monotonic()
    while time.monotonic() - step < 60:
        time.sleep(1)
        quiet = ask(watchers, "quiet", "quiet", 30)
        if len(quiet) == len(watchers) and min(q[2] for q in quiet) >= 3:
            break
    log(f"sockets quiet after {time.monotonic() - step:.1f}s more")
    reference_after = machine_reference()

    # what the database holds
    rows = list(
        Mention.objects.filter(external_id__startswith=f"{run_id}-").values_list(
            "external_id", "id", "department__slug", "triaged_at"
        )
    )
    by_external = collections.defaultdict(list)
    for external_id, pk, slug, _ in rows:
        by_external[external_id].append((pk, slug))
    department_of = {pk: slug for _, pk, slug, _ in rows}
    stored_twice = sum(1 for v in by_external.values() if len(v) > 1)
    untriaged = sum(1 for r in rows if r[3] is None)
    lost, wrong_id = 0, 0
    for external_id, n in external.items():
        found = by_external.get(external_id)
        if not found:
            lost += 1
        elif accepted[n][2] != found[0][0]:
            wrong_id += 1
    answered_existing = sum(1 for r in accepted.values() if r[1] == 200)
    ids = collections.Counter(r[2] for r in accepted.values())
    shared_ids = sum(c - 1 for c in ids.values() if c > 1)
    duplicated = stored_twice + answered_existing + shared_ids
    extra = len(set(by_external) - set(external))  # stored, though the client saw no answer

    # what the sockets saw
    reports = ask(watchers, "report", "report", 60)
    seen = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0.0]))
    received = collections.defaultdict(list)
    sockets_by_dept = collections.Counter()
    dropped = frames = 0
    for _, part_seen, part_received, part_sockets, part_dropped, part_frames in reports:
        for slug, entries in part_seen.items():
            for mention_id, (count, last) in entries.items():
                entry = seen[slug][mention_id]
                entry[0] += count
                entry[1] = max(entry[1], last)
        for slug, counts in part_received.items():
            received[slug].extend(counts.values())
        sockets_by_dept.update(part_sockets)
        dropped += part_dropped
        frames += part_frames
    if len(reports) < len(watchers):
        log(f"only {len(reports)} of {len(watchers)} watcher processes reported")
    missed = 0
    for external_id in external:
        found = by_external.get(external_id)
        slug = found[0][1] if found else None
        everyone = sockets_by_dept[slug] if slug else 0
        if not found or slug is None or seen[slug][found[0][0]][0] < max(1, everyone):
            missed += 1
    # mention_payload names the department of every even-numbered mention
    explicit = collections.Counter(slugs[(n // 2) % len(slugs)] for n in accepted if n % 2 == 0)
    for slug in slugs:
        counts = received.get(slug, [])
        short = sum(1 for c in counts if c < explicit[slug])
        log(
            f"{slug}: {sockets_by_dept[slug]} sockets; mention.received counts "
            f"{min(counts, default=0)}..{max(counts, default=0)} of {explicit[slug]} named "
            f"({short} sockets short)"
        )
    if dropped:
        errors["socket dropped"] += dropped

    # figures
    measured = [r for r in records if not r[6]]
    failed = [r for r in measured if not 200 <= r[1] < 300]
    errors["POST"] += len(failed)
    errors["POST (warm-up)"] += sum(1 for r in records if r[6] and not 200 <= r[1] < 300)
    errors["GET queue"] += len(paging["errors"])
    for r in failed[:5]:
        log(f"failed POST {r[0]}: HTTP {r[1]} {r[5]}")
    for line in paging["errors"][:5]:
        log(f"failed {line}")
    latency = [r[3] for r in measured]
    service = [r[4] for r in measured]
    # From the answer to the moment the last of the department's sockets had the mention's
    # mention.triaged (time.monotonic() is one clock for every process on the machine).
    live = [
        (seen[slug][r[2]][1] - r[7]) * 1000
        for r in measured
        if r[2] and (slug := department_of.get(r[2])) and seen[slug][r[2]][0]
    ]
    log(
        f"POST latency from due time: p50 {pct(latency, 50)} p95 {pct(latency, 95)} "
        f"p99 {pct(latency, 99)} max {pct(latency, 100)} ms; from sending: p50 "
        f"{pct(service, 50)} p99 {pct(service, 99)} ms"
    )
    if args.dump:
        # due moment on time.monotonic() (one clock for every process), latency ms
        Path(args.dump).write_text(json.dumps([[r[7] - r[3] / 1000, r[3]] for r in measured]))
    by_window: dict[int, list[float]] = {}
    for r in measured:  # request n was due n / rate seconds after the start
        by_window.setdefault(int(r[0] / args.rate // 10) * 10, []).append(r[3])
    log(
        "POST latency by 10 s of due time, p50/p99 ms: "
        + ", ".join(f"{s}s {pct(v, 50):.0f}/{pct(v, 99):.0f}" for s, v in sorted(by_window.items()))
    )
    log(
        f"queue pages: first p50 {pct(paging['first'], 50)} p99 {pct(paging['first'], 99)} ms "
        f"({len(paging['first'])}), deep p50 {pct(paging['deep'], 50)} p99 "
        f"{pct(paging['deep'], 99)} ms ({len(paging['deep'])}, to page {paging['max_depth'] + 1})"
    )
    log(
        f"accepted {len(accepted)}, stored {len(rows)} ({extra} without an answer), "
        f"untriaged {untriaged}, lost {lost}, wrong id {wrong_id}, stored twice {stored_twice}, "
        f"answered as existing {answered_existing}, shared ids {shared_ids}; socket frames "
        f"{frames}, events missed {missed}; errors {dict(errors)}"
    )
    log(
        f"load average (1, 5, 15 min) before {tuple(round(x, 2) for x in load_before)}, "
        f"after {tuple(round(x, 2) for x in load_after)}; machine reference (VADER texts/s, "
        f"bench/common.py) before {reference_before:,.0f}, after {reference_after:,.0f}"
    )
    log(
        f"answer -> live event on every socket of the department: p50 {pct(live, 50)} "
        f"p99 {pct(live, 99)} max {pct(live, 100)} ms"
    )
    connection.close()
    return {
        "requests": len(measured),
        "rate_per_s": round(len(measured) / load["sending"], 1) if load["sending"] else 0,
        "errors": sum(errors.values()),
        "lost": lost + wrong_id,
        "duplicated": duplicated,
        "events_missed": missed,
        "p50_ms": pct(latency, 50),
        "p99_ms": pct(latency, 99),
    }


if __name__ == "__main__":
    sys.exit(main())
