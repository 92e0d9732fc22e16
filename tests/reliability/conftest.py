"""Real processes for the fault tests: Celery workers, uvicorn, a private Redis and PostgreSQL.

The fault tests run only on the production stack (``DATABASE_URL`` PostgreSQL and ``REDIS_URL``,
as under ``scripts/with-services.sh``). Whatever they stop or restart is their own: a private
Redis or PostgreSQL started here, never the shared services, which tests in the other xdist
process keep using meanwhile.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

on_production_stack = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
    reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL (run under scripts/with-services.sh)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of pytest-django's test database (``test_<name>``, per xdist worker)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def process_env(tmp_path: Path, **extra: str) -> dict:
    """The environment of a subprocess that shares the test process's database and key."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=test_database_url(),
        DEBUG="1",
        SECRET_KEY=settings.SECRET_KEY,
        FIREBREAK_DATA_DIR=str(tmp_path),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        WEBHOOK_ALLOW_PRIVATE="1",  # the receivers of these tests listen on loopback
    )
    env.update(extra)
    return env


class Proc:
    """A child in its own process group, so a kill reaches Celery's pool children too."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Proc":
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - fixed command line
                self.command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def signal(self, sig: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole group and reap it: no cleanup, no acknowledgements."""
        if self.process is None:
            return
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def celery_worker(env: dict, log: Path, *, concurrency: int = 2, name: str = "fault") -> Proc:
    return Proc(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{name}-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        env,
        log,
    )


def uvicorn(env: dict, log: Path, port: int) -> Proc:
    return Proc(
        f"web-{port}",
        [
            str(BIN / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--lifespan",
            "off",
        ],
        env,
        log,
    )


def wait_http(url: str, proc: Proc | None = None, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.process is not None and proc.process.poll() is not None:
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} not up after {timeout:.0f}s:\n{proc.tail() if proc else ''}")


def wait_until(predicate, timeout: float, interval: float = 0.25, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout:.0f}s")


# --- a private Redis ----------------------------------------------------------------------
class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = Proc(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            os.environ.copy(),
            workdir / "redis.log",
        )

    def start(self) -> None:
        self.proc.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock,
            ):
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis did not start:\n{self.proc.tail()}")

    def stop(self) -> None:
        self.proc.kill()  # as abrupt as a crash; the data set is in memory only anyway

    def llen(self, key: str) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(f"LLEN {key}\r\n".encode())
            return int(sock.recv(64).strip().lstrip(b":"))


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


# --- a delivery webhook receiver ----------------------------------------------------------
class Receiver:
    """A slow delivery endpoint on loopback that counts the POSTs per Idempotency-Key."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.hits: dict[str, int] = {}
        self.in_flight = 0  # requests received and not yet answered
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key") or body.get("idempotency_key")
                with receiver.lock:
                    receiver.in_flight += 1
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.in_flight -= 1
                    receiver.hits[key] = receiver.hits.get(key, 0) + 1
                answer = json.dumps({"external_id": f"ext-{key}"}).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/deliver"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- a private PostgreSQL -----------------------------------------------------------------
def _pg_bin() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        pytest.skip("PostgreSQL server binaries not installed")
    return candidates[-1].parent


class PrivatePostgres:
    """A throw-away cluster on loopback; run as the postgres user when we are root."""

    def __init__(self, workdir: Path):
        self.bin = _pg_bin()
        self.dir = workdir / "pg"
        self.sockets = workdir
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(workdir, "postgres")
            os.chmod(workdir, 0o755)  # noqa: S103 - the postgres user must enter it

    def _run(self, *command: str, **kwargs) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        return subprocess.run(  # noqa: S603 - fixed command lines
            [*prefix, *command], check=True, capture_output=True, **kwargs
        )

    @property
    def url(self) -> str:
        return f"postgres://firebreak@127.0.0.1:{self.port}/firebreak"

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.dir), "-U", "firebreak", "--auth=trust")
        self.start()
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
            "firebreak", "firebreak",
        )  # fmt: skip

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.dir), "-l", str(self.sockets / "pg.log"),
            "-w", "start", "-o",
            f"-k {self.sockets} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off",
        )  # fmt: skip

    def restart(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.dir), "-l", str(self.sockets / "pg.log"),
            "-m", "fast", "-w", "restart",
        )  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-m", "immediate", "stop")

    def load_schema_of(self, source_url: str) -> None:
        """Copy the test database's schema (and migration rows) instead of migrating again."""
        dump = subprocess.run(  # noqa: S603
            ["pg_dump", "--no-owner", "--no-privileges", source_url],
            check=True,
            capture_output=True,
        ).stdout
        self._run(
            "psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
            "-U", "firebreak", "firebreak", input=dump,
        )  # fmt: skip

    def data_directory(self) -> str:
        return self._run(
            "psql", "-tA", "-h", "127.0.0.1", "-p", str(self.port), "-U", "firebreak",
            "firebreak", "-c", "SHOW data_directory",
        ).stdout.decode().strip()  # fmt: skip


@pytest.fixture
def private_postgres():
    # Not under pytest's tmp_path: the postgres user cannot enter root's private temp dirs.
    workdir = Path(tempfile.mkdtemp(prefix="firebreak-fault-pg."))
    cluster = PrivatePostgres(workdir)
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
