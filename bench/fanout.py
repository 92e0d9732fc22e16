"""Websocket fan-out benchmark: one incident, 1,000 live sockets, 2 ASGI processes on Redis.

Run it with ``make bench-fanout`` (PostgreSQL and Redis come from scripts/with-services.sh).

Firebreak side: the production stack (2 uvicorn processes, channels-redis), 1,000 people with
sessions (central comms, plus a few agents of the incident's department), each with one
websocket subscribed to the incident; the benchmark process adds facts through
``incidents.services.incident_add_fact`` and times each ``incident.fact_added`` from the commit
to its arrival on every socket. Baseline: ``bench/bare_consumer.py`` (a Channels consumer that
only forwards group messages) on 2 more uvicorn processes, same Redis, same channel-layer
options, same number of sockets, the message sent the way Firebreak's ``publish`` sends it.

The sockets live in client processes of their own (asyncio + ``websockets``), apart from the
sender. Order: half the baseline updates, then Firebreak's, then the other half of the baseline
(each after the previous phase's connect/disconnect storm has settled), so load from anything
else on the machine weighs on both sides alike. Progress goes to stderr; the last line of
stdout is one JSON object with the figures. See bench/README.md.
"""
# ruff: noqa: E402 - the path must be fixed before anything imports the standard ``queue``.

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py shadows the standard ``queue`` (multiprocessing imports it): keep bench/ off
# sys.path, and the project root on it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import asyncio
import collections
import contextlib
import json
import multiprocessing
import multiprocessing.connection
import os
import random
import resource
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

from bench.common import log, percentile, process_cpu_ms, session_keys_for
from scripts.prodstack import BIN, HOST, ProdStack

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "1000"))
UPDATES = int(os.environ.get("BENCH_UPDATES", "50"))
AGENTS = min(CLIENTS, int(os.environ.get("BENCH_AGENTS", "50")))  # the rest: central comms
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "2"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))  # unmeasured updates before each phase
DELIVERY_TIMEOUT = float(os.environ.get("BENCH_DELIVERY_TIMEOUT", "15"))  # then: lost
GAP = (0.1, 0.4)  # random pause between updates (s), so they sample the servers' whole cycle
CONNECT_CONCURRENCY = 50  # handshakes in flight per client process
SETTLE_QUIET = 2.0  # a storm is over when no socket got anything for this long (s)
SETTLE_MAX = float(os.environ.get("BENCH_SETTLE_MAX", "60"))
UPDATE_BUDGET = float(os.environ.get("BENCH_UPDATE_BUDGET", "150"))  # s for Firebreak's 50
FIREBREAK_EVENT, BARE_EVENT = "incident.fact_added", "bare.fanout"
KEY = "fact_id"  # what tells one Firebreak update from another in its event


# --- client processes ----------------------------------------------------------------------
class SocketPool:
    """Runs in a client process: opens, reads and closes sockets on the parent's orders.

    Orders and answers are tuples over a multiprocessing pipe. Each socket's reader notes the
    monotonic time (comparable across processes on one machine) at which a tracked event
    arrives; when every open socket of a side has one event, the parent hears ("done", ...).
    """

    def __init__(self, conn):
        self.conn = conn
        self.sockets: dict[str, list] = collections.defaultdict(list)
        self.readers: dict[str, list] = collections.defaultdict(list)
        self.markers: dict[str, tuple[bytes, str]] = {}
        self.arrivals = collections.defaultdict(lambda: collections.defaultdict(list))
        self.other = collections.Counter()  # untracked messages (presence, ...) per side
        self.last_other = 0.0
        self.closed = collections.Counter()  # sockets the server closed
        self.stopped = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()

    async def run(self):
        loop = asyncio.get_running_loop()
        # a thread of its own for the pipe: orders can be larger than the pipe's buffer, and a
        # non-blocking read (the loop's add_reader) would see only part of them
        threading.Thread(target=self._read_orders, args=(loop,), daemon=True).start()
        await self.stopped.wait()

    def _read_orders(self, loop):
        while True:
            try:
                order = self.conn.recv()
            except (EOFError, OSError):
                order = ("stop",)
            loop.call_soon_threadsafe(self._on_order, order)
            if order[0] == "stop":
                return

    def _on_order(self, order):
        order, *args = order
        if order == "stop":
            self.stopped.set()
        elif order in ("connect", "close"):
            work = self._connect(*args) if order == "connect" else self._close(*args)
            task = asyncio.ensure_future(work)
            self.tasks.add(task)  # the loop holds tasks only weakly
            task.add_done_callback(self.tasks.discard)
        elif order == "quiet":
            self.conn.send(("quiet", sum(self.other.values()), time.monotonic() - self.last_other))
        elif order == "arrivals":
            side = args[0]
            arrivals = dict(self.arrivals[side])
            self.conn.send(("arrivals", side, arrivals, self.other[side], self.closed[side]))

    async def _connect(self, side, targets, marker, field):
        import websockets

        self.markers[side] = (marker.encode(), field)
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(url, origin, cookie, subscribe):
            async with limit:
                ws = await websockets.connect(
                    url,
                    origin=origin,
                    additional_headers={"Cookie": cookie} if cookie else None,
                    compression=None,
                    ping_interval=None,  # the server pings; the client only answers
                    max_size=2**24,
                    open_timeout=120,
                    close_timeout=30,
                )
                await ws.send(json.dumps(subscribe))
                while True:
                    data = await asyncio.wait_for(ws.recv(decode=False), 120)
                    if b'"subscribed"' in data:
                        break
                    if b'"error"' in data:
                        await ws.close()
                        raise RuntimeError(f"subscription refused: {data[:200]!r}")
                self.sockets[side].append(ws)
                self.readers[side].append(asyncio.ensure_future(self._read(side, ws)))

        results = await asyncio.gather(*(one(*t) for t in targets), return_exceptions=True)
        errors = [repr(r) for r in results if isinstance(r, BaseException)]
        self.conn.send(("connected", side, len(self.sockets[side]), errors[:5], len(errors)))

    async def _read(self, side, ws):
        from websockets.exceptions import ConnectionClosed

        marker, field = self.markers[side]
        arrivals, sockets = self.arrivals[side], self.sockets[side]
        try:
            while True:
                data = await ws.recv(decode=False)
                now = time.monotonic()
                if marker in data:
                    key = json.loads(data)[field]
                    times = arrivals[key]
                    times.append(now)
                    if len(times) == len(sockets) - self.closed[side]:
                        self.conn.send(("done", side, key))
                else:
                    self.other[side] += 1
                    self.last_other = now
        except ConnectionClosed:
            self.closed[side] += 1
        except asyncio.CancelledError:
            pass

    async def _close(self, side):
        sockets, readers = self.sockets.pop(side, []), self.readers.pop(side, [])
        for reader in readers:
            reader.cancel()
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(ws):
            async with limit:
                with contextlib.suppress(Exception):
                    await ws.close()

        await asyncio.gather(*(one(ws) for ws in sockets))
        self.conn.send(("closed", side, len(sockets)))


def client_main(conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    pool = SocketPool(conn)
    try:
        import uvloop

        uvloop.run(pool.run())
    except ImportError:
        asyncio.run(pool.run())


class Clients:
    """The client processes, seen from the benchmark process."""

    def __init__(self, count: int):
        context = multiprocessing.get_context("spawn")
        self.conns, self.processes = [], []
        for _ in range(count):
            mine, theirs = context.Pipe()
            process = context.Process(target=client_main, args=(theirs,), daemon=True)
            process.start()
            self.conns.append(mine)
            self.processes.append(process)
        self.pending: list[tuple] = []  # answers read while waiting for something else

    def send_each(self, orders: list[tuple]) -> None:
        for conn, order in zip(self.conns, orders, strict=True):
            conn.send(order)

    def send_all(self, order: tuple) -> None:
        self.send_each([order] * len(self.conns))

    def answers(self, kind: str, *match, count: int | None = None, timeout: float = 600):
        """The next ``count`` answers (default: one per process) of this kind and prefix."""
        count = len(self.conns) if count is None else count
        found, deadline = [], time.monotonic() + timeout
        while len(found) < count:
            for answer in list(self.pending):
                if answer[0] == kind and tuple(answer[1 : 1 + len(match)]) == match:
                    self.pending.remove(answer)
                    found.append(answer)
                    if len(found) == count:
                        return found
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for conn in multiprocessing.connection.wait(self.conns, timeout=left):
                self.pending.append(conn.recv())
        return found

    def stop(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        for process in self.processes:
            process.join(timeout=20)
            if process.is_alive():
                process.kill()
                process.join()


# --- the servers ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class BareServers:
    """uvicorn processes serving bench/bare_consumer.py, like ProdStack serves Firebreak."""

    def __init__(self, count: int, env: dict, log_dir: Path):
        self.count, self.env, self.log_dir = count, env, log_dir
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.ports]

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def __enter__(self):
        try:
            for n in range(self.count):
                port = free_port()
                with open(self.log_dir / f"bare-{port}.log", "ab") as out:
                    self.processes.append(
                        subprocess.Popen(
                            [
                                str(BIN / "uvicorn"),
                                "bench.bare_consumer:application",
                                "--host",
                                HOST,
                                "--port",
                                str(port),
                                "--log-level",
                                "warning",
                                "--no-access-log",
                                "--lifespan",
                                "off",
                            ],
                            cwd=ROOT,
                            env=self.env,
                            stdin=subprocess.DEVNULL,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
                self.ports.append(port)
                log(f"bare server {n} on port {port}")
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for url, process in zip(self.urls, self.processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"bare server {url} exited with {process.returncode}")
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"bare server {url} not up after {timeout:.0f}s")
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


def server_errors(log_dir: Path) -> dict[str, int]:
    """Tracebacks and error lines per server log (channel-layer trouble shows up here)."""
    counts = {}
    for logfile in sorted(log_dir.glob("*.log")):
        text = logfile.read_text(errors="replace")
        counts[logfile.stem] = text.count("Traceback") + text.count(" ERROR ")
    return counts


# --- people and the incident ---------------------------------------------------------------
def create_people_and_incident():
    """An incident, its department, and CLIENTS people with a session cookie each.

    Users and sessions go in with bulk inserts (no password hashing, no login round trips);
    the agents get their department through the service, as an administrator would.
    """
    from django.contrib.auth import (
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password

    from incidents.services import incident_declare
    from spokes.models import Department
    from spokes.services import membership_set

    User = get_user_model()
    started = time.monotonic()
    admin = User.objects.create(username="bench-admin", org_role="admin")
    lead = User.objects.create(
        username="bench-incident-lead", first_name="Incident", last_name="Lead", org_role="comms"
    )
    department = Department.objects.create(slug="bench-ops", name="Operations")
    incident = incident_declare(
        actor=lead,
        title="Payment outage (fan-out benchmark)",
        severity="critical",
        departments=[department],
        keywords=["payment", "outage"],
    )
    unusable = make_password(None)
    people = User.objects.bulk_create(
        [
            User(
                username=f"bench-{n:04d}",
                first_name="Agent" if n < AGENTS else "Comms",
                last_name=f"No {n}",
                email=f"bench-{n:04d}@example.com",
                org_role="member" if n < AGENTS else "comms",
                password=unusable,
            )
            for n in range(CLIENTS)
        ]
    )
    for person in people[:AGENTS]:
        membership_set(actor=admin, user=person, department=department, role="agent")
    session_keys = session_keys_for(people)
    log(
        f"{CLIENTS} people ({AGENTS} agents, {CLIENTS - AGENTS} central comms) with sessions "
        f"in {time.monotonic() - started:.1f}s; incident {incident.pk}"
    )
    return lead, incident, [f"sessionid={key}" for key in session_keys]


# --- updates -------------------------------------------------------------------------------
def firebreak_update(lead, incident, n: int) -> tuple[int, float]:
    """One fact through the service layer; returns its id and the moment it was committed."""
    from django.db import transaction

    from incidents.services import incident_add_fact

    committed = []
    with transaction.atomic():
        # registered before the service's own callbacks, so it runs first, right after COMMIT
        transaction.on_commit(lambda: committed.append(time.monotonic()))
        fact = incident_add_fact(
            actor=lead,
            incident_id=incident.pk,
            text=f"Update {n}: card payments failing for some customers in the EU region.",
            source="Payments on-call",
            confirmed_by="Incident lead",
        )
    return fact.pk, committed[0]


def bare_update(n: int) -> tuple[int, float]:
    """One group message, sent the way ``core.events.publish`` sends its own after commit."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    message = {
        "type": "live.event",
        "event": BARE_EVENT,
        "payload": {"id": 1, "status": "investigating", "panels": ["facts"], "seq": n},
    }
    started = time.monotonic()
    async_to_sync(get_channel_layer().group_send)("bare.incident.1", message)
    return n, started


def run_updates(clients: Clients, side: str, send, numbers, *, budget: float) -> dict:
    """Send updates one at a time, each once every socket has the previous one.

    A socket that lags does not stall the run: an update waits at most DELIVERY_TIMEOUT, and
    less when the side's ``budget`` (seconds) runs short. At the end, stragglers get one more
    DELIVERY_TIMEOUT; what has not arrived by then counts as lost.
    """
    sent, complete, numbers = {}, collections.Counter(), list(numbers)
    deadline = time.monotonic() + budget
    every = len(clients.conns)
    for index, n in enumerate(numbers):
        key, started = send(n)
        sent[key] = started
        left = max(1.0, (deadline - time.monotonic()) / (len(numbers) - index))
        for answer in clients.answers("done", side, key, timeout=min(DELIVERY_TIMEOUT, left)):
            complete[answer[2]] += 1
        if complete[key] < every:
            waited = time.monotonic() - started
            log(f"{side} update {n}: not on every socket after {waited:.1f}s")
        time.sleep(random.uniform(*GAP))
    late = sum(every - complete[key] for key in sent)
    if late:
        for answer in clients.answers("done", side, count=late, timeout=DELIVERY_TIMEOUT):
            complete[answer[2]] += 1
    clients.pending = [a for a in clients.pending if a[0] != "done"]
    return sent


def latencies(clients: Clients, side: str, sent: dict[int, float]) -> tuple[list[float], int]:
    """Delivery latencies (ms) of these updates on every socket, and how many never arrived.

    Also logs the slowest updates: a p99 over bursts is often one or two bad bursts.
    """
    clients.send_all(("arrivals", side))
    by_update = collections.defaultdict(list)
    for _, _, arrivals, _, _ in clients.answers("arrivals", side, timeout=60):
        for key, started in sent.items():
            by_update[key].extend((t - started) * 1000 for t in arrivals.get(key, ()))
    samples = [ms for values in by_update.values() for ms in values]
    worst = sorted((max(v), k) for k, v in by_update.items() if v)[-5:][::-1]
    log(f"{side}: slowest updates (last delivery, ms): {[round(ms) for ms, _ in worst]}")
    return samples, CLIENTS * len(sent) - len(samples)


# --- phases --------------------------------------------------------------------------------
def connect(clients: Clients, side: str, urls, cookies, subscribe, marker, field) -> None:
    started = time.monotonic()
    targets = [[] for _ in clients.conns]
    for n in range(CLIENTS):
        url = urls[n % len(urls)]
        ws_url = url.replace("http://", "ws://") + "/ws/live/"
        targets[n % len(targets)].append((ws_url, url, cookies[n] if cookies else "", subscribe))
    clients.send_each([("connect", side, t, marker, field) for t in targets])
    opened = 0
    for _, _, count, errors, failed in clients.answers("connected", side, timeout=240):
        opened += count
        if failed:
            log(f"{side}: {failed} sockets failed, e.g. {errors}")
    log(f"{side}: {opened} sockets subscribed in {time.monotonic() - started:.1f}s")
    if opened < CLIENTS:
        log(f"{side}: only {opened} of {CLIENTS} sockets: the missing ones count as lost")


def settle(clients: Clients, what: str, pids, *, idle_servers: bool = False) -> None:
    """Wait out a connect or disconnect storm (presence announcements and the like).

    Over when no socket has received anything for SETTLE_QUIET seconds and, if
    ``idle_servers``, the servers used under a tenth of a core over the last second.
    """
    started, cpu_before = time.monotonic(), process_cpu_ms(pids)
    cpu_last = cpu_before
    while time.monotonic() - started < SETTLE_MAX:
        time.sleep(1.0)
        cpu_now = process_cpu_ms(pids)
        busy, cpu_last = cpu_now - cpu_last >= 100, cpu_now
        clients.send_all(("quiet",))
        answers = clients.answers("quiet", timeout=30)
        quiet = len(answers) == len(clients.conns) and min(a[2] for a in answers) >= SETTLE_QUIET
        if quiet and not (idle_servers and busy):
            break
    else:
        log(f"{what}: still busy after {SETTLE_MAX:.0f}s; going on")
    elapsed = time.monotonic() - started
    cpu = process_cpu_ms(pids) - cpu_before
    log(f"{what}: settled after {elapsed:.1f}s (servers used {cpu / 1000:.1f} CPU-s meanwhile)")


def close(clients: Clients, side: str) -> None:
    started = time.monotonic()
    clients.send_all(("close", side))
    closed = sum(a[2] for a in clients.answers("closed", side))
    log(f"{side}: {closed} sockets closed in {time.monotonic() - started:.1f}s")


def figures(samples: list[float]) -> dict:
    if not samples:
        return {"p50": None, "p99": None, "max": None}
    return {
        "p50": round(percentile(samples, 50), 1),
        "p99": round(percentile(samples, 99), 1),
        "max": round(max(samples), 1),
    }


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # let the context managers clean up
    bench_started = time.monotonic()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = CLIENTS * 2 + 1000  # both sides' sockets in the client processes, plus slack
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    data_dir = tempfile.TemporaryDirectory(prefix="firebreak-fanout.")
    stack = ProdStack(web=2, workers=0, data_dir=data_dir.name, base_port=8640)
    os.environ.update(stack.env)  # the same SECRET_KEY signs the sessions made here
    load_before = os.getloadavg()

    import django

    django.setup()
    from django.conf import settings

    bare_env = {**stack.env, "BARE_CHANNEL_LAYERS": json.dumps(settings.CHANNEL_LAYERS)}
    layer = settings.CHANNEL_LAYERS["default"]
    if "redis" not in layer["BACKEND"].lower():
        raise RuntimeError("REDIS_URL must be set: the benchmark measures channels-redis")
    log(f"channel layer: {layer['BACKEND']} {layer.get('CONFIG', {})}")

    clients = Clients(CLIENT_PROCESSES)
    try:
        with stack, BareServers(2, bare_env, stack.log_dir) as bare:
            lead, incident, cookies = create_people_and_incident()
            from django.db import connection

            connection.close()  # the stack's processes get their own; ours reopens on use

            half = UPDATES // 2
            bare_subscribe = {"action": "subscribe", "kind": "incident", "key": 1}
            connect(clients, "bare", bare.urls, None, bare_subscribe, BARE_EVENT, "seq")
            settle(clients, "bare connect", bare.pids)
            run_updates(clients, "bare", bare_update, range(-WARMUP, 0), budget=30)
            bare_cpu = process_cpu_ms(bare.pids)
            bare_sent = run_updates(clients, "bare", bare_update, range(half), budget=60)
            bare_cpu = process_cpu_ms(bare.pids) - bare_cpu

            subscribe = {"action": "subscribe", "kind": "incident", "key": incident.pk}
            pids = list(stack.pids.values())
            connect(clients, "firebreak", stack.urls, cookies, subscribe, FIREBREAK_EVENT, KEY)
            settle(clients, "firebreak connect", pids)

            def send(n):
                return firebreak_update(lead, incident, n)

            run_updates(clients, "firebreak", send, range(-WARMUP, 0), budget=30)
            cpu = process_cpu_ms(pids)
            sent = run_updates(clients, "firebreak", send, range(UPDATES), budget=UPDATE_BUDGET)
            cpu = process_cpu_ms(pids) - cpu
            samples, lost = latencies(clients, "firebreak", sent)
            close(clients, "firebreak")
            settle(clients, "firebreak disconnect", pids, idle_servers=True)

            more = range(half, UPDATES)
            before = process_cpu_ms(bare.pids)
            bare_sent.update(run_updates(clients, "bare", bare_update, more, budget=60))
            bare_cpu += process_cpu_ms(bare.pids) - before
            bare_samples, bare_lost = latencies(clients, "bare", bare_sent)
            close(clients, "bare")

            mine, base = figures(samples), figures(bare_samples)
            log(f"firebreak: {mine} over {len(samples)} deliveries, {lost} lost")
            log(f"bare:      {base} over {len(bare_samples)} deliveries, {bare_lost} lost")
            log(
                f"server CPU per update: firebreak {cpu / UPDATES:.0f} ms, "
                f"bare {bare_cpu / UPDATES:.0f} ms"
            )
            log(f"server log errors: {server_errors(stack.log_dir)}")
    finally:
        clients.stop()
        data_dir.cleanup()
    load_after = os.getloadavg()
    log(
        f"load average (1, 5, 15 min) before {tuple(round(x, 2) for x in load_before)}, "
        f"after {tuple(round(x, 2) for x in load_after)}; "
        f"total {time.monotonic() - bench_started:.0f}s"
    )
    ratio = round(mine["p99"] / base["p99"], 2) if mine["p99"] and base["p99"] else None
    result = {
        "clients": CLIENTS,
        "updates": UPDATES,
        "p50_ms": mine["p50"],
        "p99_ms": mine["p99"],
        "bare_p99_ms": base["p99"],
        "ratio_p99": ratio,
        "lost": lost,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
