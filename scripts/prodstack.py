"""Launch Firebreak's production stack against the services in the environment.

Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (e.g. from ``scripts/with-services.sh``).
Runs ``migrate`` and ``collectstatic``, starts N uvicorn processes on consecutive loopback
ports and K Celery workers, waits until every web process answers ``/healthz`` with 200, and
stops them all on exit. The settings are production ones (``DEBUG=0``, a random
``SECRET_KEY`` made at start and never written anywhere) except that TLS-only cookies and the
HTTPS redirect are off, since the stack serves plain HTTP on 127.0.0.1.

From Python (benchmarks)::

    from scripts.prodstack import ProdStack

    with ProdStack(web=2, workers=1) as stack:
        stack.urls  # ["http://127.0.0.1:8100", "http://127.0.0.1:8101"]

From the shell (runs until Ctrl-C)::

    scripts/with-services.sh .venv/bin/python scripts/prodstack.py --web 2 --workers 1
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[prodstack] {message}", file=sys.stderr, flush=True)


def production_env(*, secret_key: str | None = None, data_dir: str | None = None) -> dict:
    """The environment of every stack process: the caller's, plus production settings."""
    env = dict(os.environ)
    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.get(name)]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} not set: run under scripts/with-services.sh "
            "or point them at PostgreSQL and Redis."
        )
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secret_key or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    if data_dir:
        env["FIREBREAK_DATA_DIR"] = data_dir
    return env


def manage(env: dict, *args: str) -> None:
    """Run one management command; its output goes to stderr, never to the caller's stdout."""
    subprocess.run(  # noqa: S603 - a fixed command line, no shell
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=sys.stderr,
    )


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_ports(count: int, start: int) -> list[int]:
    """``count`` consecutive free ports at or above ``start``."""
    for base in range(start, start + 1000, count):
        ports = list(range(base, base + count))
        if all(_port_is_free(p) for p in ports):
            return ports
    raise RuntimeError(f"no {count} consecutive free ports from {start}")


# Celery workers run at a lower CPU priority than the web processes on the same machine: their
# work (triage, deliveries) can wait milliseconds, an HTTP answer should not. Under saturation a
# 500-mention triage batch (~0.2 s of CPU) otherwise competes with requests as an equal.
WORKER_NICE = int(os.environ.get("WORKER_NICE", "10"))


class ProdStack:
    """N uvicorn processes + K Celery workers; a context manager that always cleans up."""

    def __init__(
        self,
        *,
        web: int = 2,
        workers: int = 0,
        beat: bool = False,
        base_port: int = 8100,
        concurrency: int = 2,
        data_dir: str | None = None,
        prepare: bool = True,
        ready_timeout: float = 60.0,
        worker_nice: int = WORKER_NICE,
    ):
        if web < 1:
            raise ValueError("web must be at least 1")
        self.web, self.workers, self.beat = web, workers, beat
        self.base_port, self.concurrency = base_port, concurrency
        self.prepare, self.ready_timeout = prepare, ready_timeout
        self.worker_nice = worker_nice
        self._own_dir = None
        if data_dir is None and not os.environ.get("FIREBREAK_DATA_DIR"):
            self._own_dir = tempfile.TemporaryDirectory(prefix="firebreak-prodstack.")
            data_dir = self._own_dir.name
        self.data_dir = data_dir or os.environ["FIREBREAK_DATA_DIR"]
        self.log_dir = Path(self.data_dir) / "logs"
        self.env = production_env(data_dir=self.data_dir)
        self.ports: list[int] = []
        self._processes: list[tuple[str, subprocess.Popen, Path]] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.ports]

    @property
    def pids(self) -> dict[str, int]:
        """Process ids by name (``web-8100``, ``worker-0``), e.g. to read their CPU time."""
        return {name: process.pid for name, process, _ in self._processes}

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> ProdStack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if self.prepare:
            log("migrate + collectstatic")
            manage(self.env, "migrate", "--no-input", "-v", "0")
            manage(self.env, "collectstatic", "--no-input", "-v", "0")
        self.ports = _free_ports(self.web, self.base_port)
        for port in self.ports:
            self._spawn(
                f"web-{port}",
                [
                    str(BIN / "uvicorn"),
                    "config.asgi:application",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                    "--lifespan",
                    "off",
                    # longer than a client's or proxy's idle keep-alive (nginx: 60 s), so the
                    # server never closes a connection just as a request is sent on it
                    "--timeout-keep-alive",
                    "75",
                ],
                DB_POOL_SIZE=self.env.get("DB_POOL_SIZE", "8"),
            )
        for n in range(self.workers):
            command = [
                *(["nice", "-n", str(self.worker_nice)] if self.worker_nice else []),
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel",
                "WARNING",
                "--concurrency",
                str(self.concurrency),
                "--hostname",
                f"prodstack-{n}@%h",
            ]
            if self.beat and n == 0:
                command += ["--beat", "--schedule", str(Path(self.data_dir) / "celerybeat")]
            self._spawn(f"worker-{n}", command)
        self._wait_ready()
        log(f"ready: {' '.join(self.urls)} ({self.workers} celery worker(s))")

    def _spawn(self, name: str, command: list[str], **extra_env: str) -> None:
        logfile = self.log_dir / f"{name}.log"
        with open(logfile, "ab") as out:
            # Own session: stop() signals the whole group, Celery's pool children included.
            process = subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
                command,
                cwd=ROOT,
                env={**self.env, **extra_env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._processes.append((name, process, logfile))

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        pending = list(self.urls)
        while pending:
            for name, process, logfile in self._processes:
                if process.poll() is not None:
                    tail = logfile.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")
            for url in list(pending):
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            pending.remove(url)
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after {self.ready_timeout:.0f}s: {pending}")
            if pending:
                time.sleep(0.2)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every process group we started, then SIGKILL what is left."""
        for _, process, _ in self._processes:
            self._signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name, process, _ in self._processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop in time; killing it")
                self._signal_group(process, signal.SIGKILL)
                process.wait()
        self._processes.clear()
        if self._own_dir is not None:
            self._own_dir.cleanup()
            self._own_dir = None

    def alive(self) -> bool:
        return bool(self._processes) and all(p.poll() is None for _, p, _ in self._processes)

    @staticmethod
    def _signal_group(process: subprocess.Popen, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)  # the group id is the child's pid (new session)

    def __enter__(self) -> ProdStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web", type=int, default=2, help="uvicorn processes (default 2)")
    parser.add_argument("--workers", type=int, default=1, help="Celery workers (default 1)")
    parser.add_argument("--beat", action="store_true", help="run Celery beat in worker 0")
    parser.add_argument("--port", type=int, default=8100, help="first port (default 8100)")
    args = parser.parse_args()

    stack = ProdStack(web=args.web, workers=args.workers, beat=args.beat, base_port=args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the finally below
    try:
        stack.start()
        print(" ".join(stack.urls), flush=True)
        while stack.alive():
            time.sleep(0.5)
        log("a process exited; stopping the stack")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
