"""Small helpers shared by the benchmarks: logging, a keep-alive HTTP session, percentiles,
and EXPLAIN ANALYZE of the queries a page runs."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import html
import http.client
import os
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine_reference(seconds: float = 0.5) -> float:
    """Texts per second VADER scores in this process, on fixed texts: a reference for the
    machine's speed at the moment. A shared machine's speed drifts by a quarter or more
    between minutes; logged next to a run's figures, it tells a slow minute from a slow
    change (about 26,000/s on a good minute on the 2-core machine of bench/README.md)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    words = "my parcel is late again and nobody answers the phone, worst ever :(".split()  # noqa: SIM905
    texts = [" ".join(words[n % 7 :] + words[: n % 7]) for n in range(200)]
    for text in texts[:20]:
        analyzer.polarity_scores(text)
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text in texts:
            analyzer.polarity_scores(text)
        done += len(texts)
    return done / elapsed


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): the value ``pct`` % of samples are <= to."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without float surprises
    return ordered[int(rank) - 1]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(samples_ms, 50), 1),
        "p95": round(percentile(samples_ms, 95), 1),
        "max": round(max(samples_ms), 1),
    }


# --- a minimal asyncio HTTP client (the load generators) ----------------------------------
class Http:
    """Minimal HTTP/1.1 over asyncio streams: keep-alive connections, opened as needed.

    A general client (httpx) costs the load generator more CPU than the server it measures on
    a small machine; this one only writes a prepared request and reads one answer.
    """

    def __init__(self, host: str, port: int, connections: int):
        self.host, self.port = host, port
        self.idle: list[tuple] = []
        self.opened = 0
        # At most this many requests in flight per server; the others wait their turn here
        # (their latency still counts from the moment they were due).
        self.slots = asyncio.Semaphore(connections)

    async def request(self, raw: bytes, timeout: float, queued: float) -> tuple[int, bytes]:
        """Send once a connection is free (waiting at most ``queued`` s), then wait at most
        ``timeout`` s for the answer."""
        await asyncio.wait_for(self.slots.acquire(), max(0.001, queued))
        try:
            return await self._request(raw, timeout)
        finally:
            self.slots.release()

    async def _request(self, raw: bytes, timeout: float) -> tuple[int, bytes]:
        conn = self.idle.pop() if self.idle else None
        if conn is None:
            conn = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), timeout)
            self.opened += 1
        reader, writer = conn
        try:
            writer.write(raw)
            status, body, keep = await asyncio.wait_for(self._answer(reader), timeout)
        except BaseException:
            writer.close()
            raise
        if keep:
            self.idle.append(conn)
        else:
            writer.close()
        return status, body

    @staticmethod
    async def _answer(reader) -> tuple[int, bytes, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await reader.read()
            return status, body, False
        return status, body, headers.get("connection", "").lower() != "close"

    def raw_post(self, path: str, body: bytes, headers: str) -> bytes:
        """A prepared POST of ``body`` (``headers``: extra header lines, each ending CRLF)."""
        return (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{headers}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str
    elapsed_ms: float


@dataclass
class HttpSession:
    """Sequential requests over one keep-alive connection per server, taken in turn.

    Keeps cookies like a browser would (only name=value; every server shares the domain) and
    times each request from sending it to having read the whole body.
    """

    base_urls: list[str]
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self._connections = []
        for url in self.base_urls:
            parts = urllib.parse.urlsplit(url)
            self._connections.append(
                http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            )
        self._turn = 0
        self.count = 0  # requests sent, for per-request figures

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        connection = self._connections[self._turn % len(self._connections)]
        self._turn += 1
        self.count += 1
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        elapsed_ms = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return Response(
            response.status, response.headers, payload.decode("utf-8", "replace"), elapsed_ms
        )

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def login(self, username: str, password: str) -> None:
        """Log in through the real form: GET for the CSRF cookie and token, then POST."""
        page = self.get("/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if page.status != 200 or not match:
            raise RuntimeError(f"login page: HTTP {page.status}, no CSRF token")
        form = {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
        answer = self.request("POST", "/login/", form)
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed: HTTP {answer.status}")

    def close(self) -> None:
        for connection in self._connections:
            connection.close()


def timed(session: HttpSession, paths: list[str], *, expect: str = "") -> list[float]:
    """GET each path in order; every answer must be 200 and contain ``expect``."""
    samples = []
    for path in paths:
        response = session.get(path)
        if response.status != 200 or expect not in response.body:
            raise RuntimeError(f"GET {path}: HTTP {response.status}, {len(response.body)} bytes")
        samples.append(response.elapsed_ms)
    return samples


def process_cpu_ms(pids) -> float:
    """User + system CPU time consumed so far by these processes (threads included).

    Unlike latency, CPU time per request hardly moves when other work shares the machine.
    """
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def stack_cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by the web processes and by the workers, pool children too."""
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError):
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                children[parent].append(int(entry))
    cpu = {}
    for name, pid in pids.items():
        family, todo = [], [pid]
        while todo:
            current = todo.pop()
            family.append(current)
            todo.extend(children.get(current, ()))
        kind = name.split("-")[0]
        with contextlib.suppress(OSError):
            cpu[kind] = cpu.get(kind, 0.0) + process_cpu_ms(family) / 1000
    return cpu


def link_by_id(body: str, element_id: str) -> str | None:
    """The href of the ``<a>`` with this id, unescaped, or None."""
    match = re.search(rf'<a [^>]*href="([^"]*)"[^>]*id="{element_id}"', body) or re.search(
        rf'<a [^>]*id="{element_id}"[^>]*href="([^"]*)"', body
    )
    return html.unescape(match.group(1)) if match else None


INDEX_USE = re.compile(r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")


@dataclass
class Plan:
    sql: str
    text: str
    indexes: list[str]
    seq_scans: list[str]
    execution_ms: float
    jit: bool


def explain(cursor, sql: str, repeat: int = 1) -> Plan:
    """EXPLAIN (ANALYZE, BUFFERS) ``sql``; with ``repeat`` > 1, the run with the median time
    (one run can be held up by anything else on the machine)."""
    plans = []
    for _ in range(repeat):
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        text = "\n".join(row[0] for row in cursor.fetchall())
        execution = EXECUTION.search(text)
        plans.append(
            Plan(
                sql=sql,
                text=text,
                indexes=sorted(set(INDEX_USE.findall(text))),
                seq_scans=sorted(set(SEQ_SCAN.findall(text))),
                execution_ms=float(execution.group(1)) if execution else 0.0,
                jit="JIT:" in text,
            )
        )
    return sorted(plans, key=lambda plan: plan.execution_ms)[len(plans) // 2]


def session_keys_for(people) -> list[str]:
    """A logged-in database session for each user, written directly (no password hashing, no
    login round trip); returns the session keys, in the order of ``people``. The sessions
    carry what ``core.middleware.SessionTimeoutMiddleware`` expects."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    now, expires = int(time.time()), timezone.now() + timezone.timedelta(hours=12)
    store, sessions = SessionStore(), []
    for person in people:
        data = {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: person.get_session_auth_hash(),
            "_started_at": now,
            "_seen_at": now,
        }
        sessions.append(
            Session(
                session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                session_data=store.encode(data),
                expire_date=expires,
            )
        )
    Session.objects.bulk_create(sessions)
    return [s.session_key for s in sessions]
