"""Child processes in the embedded default (SQLite, in-memory layer, filesystem broker)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def embedded_env(data_dir, **extra: str) -> dict:
    """The environment of a child process keeping its files in ``data_dir`` (migrated), with
    none of the production stack's variables the test run itself may have."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(FIREBREAK_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings", **extra)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return env
