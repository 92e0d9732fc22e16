"""Run the embedded default: migrate, seed, then web server + Celery worker/beat until Ctrl-C."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "--quiet",
            "-A",
            "config",
            "worker",
            "--beat",
            "--loglevel",
            "WARNING",
            "--concurrency",
            "2",
        ],
        cwd=ROOT,
        process_group=0,  # its own group: what it leaves behind when killed can be found
    )


def end_leftovers(worker: subprocess.Popen) -> None:
    """Stop what a dead worker left running (its embedded beat, pool processes after a kill):
    a restarted worker's beat would otherwise run beside the old one."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(worker.pid, signal.SIGTERM)


def start_web() -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "config.asgi:application",
            "--host",
            HOST,
            "--port",
            PORT,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )


def main() -> int:
    manage("migrate", "--no-input", "-v", "0")
    manage("collectstatic", "--no-input", "-v", "0")
    manage("seed_demo")
    processes = [start_worker(), start_web()]  # stop() below sees a restarted worker
    print(
        f"\nFirebreak is running at http://{HOST}:{PORT}/  (Ctrl-C stops everything)\n", flush=True
    )

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        end_leftovers(processes[0])

    for signum in (signal.SIGTERM, signal.SIGHUP):  # the worker does not share our terminal
        signal.signal(signum, lambda *_: (stop(), sys.exit(0)))
    try:
        # The web server gone, the product is gone: stop. A worker that dies is started again
        # (the app keeps serving; queued tasks wait on disk) after a second, or after a pause
        # doubling up to a minute while it keeps dying within a minute of its start.
        started, pause = time.monotonic(), 0.5
        while processes[1].poll() is None:
            if processes[0].poll() is not None:
                pause = 1.0 if time.monotonic() - started > 60 else min(2 * pause, 60.0)
                print(
                    f"run.py: the Celery worker exited with code {processes[0].returncode}; "
                    f"starting it again in {pause:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
                end_leftovers(processes[0])
                time.sleep(pause)
                processes[0], started = start_worker(), time.monotonic()
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
