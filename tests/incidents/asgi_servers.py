"""Start real uvicorn processes for the tests that need ASGI (websockets) end to end."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(process: subprocess.Popen, port: int, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn on {port} exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn on {port} did not start:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def uvicorn_servers(count: int, env: dict, workdir: Path):
    """``count`` uvicorn processes with ``env``; yields their base URLs; always stops them."""
    processes = []
    try:
        urls = []
        for index in range(count):
            port = free_port()
            log = workdir / f"uvicorn-{index}.log"
            handle = log.open("w")
            process = subprocess.Popen(
                [
                    str(BIN / "uvicorn"),
                    "config.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**os.environ, **env},
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
            processes.append((process, handle))
            _wait_ready(process, port, log)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process, _ in processes:
            if process.poll() is None:
                process.terminate()
        for process, handle in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            handle.close()
