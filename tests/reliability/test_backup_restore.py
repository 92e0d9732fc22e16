"""scripts/backup.sh and scripts/restore.sh round-trip the data on SQLite and PostgreSQL."""

import os
import sqlite3
import subprocess
import uuid
from contextlib import closing

import psycopg
import pytest

from tests.reliability.conftest import ROOT, on_production_stack, test_database_url


def script(name: str, *args: str, env: dict) -> str:
    return subprocess.run(  # noqa: S603
        [str(ROOT / "scripts" / name), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_an_embedded_sqlite_database_is_backed_up_and_restored(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["FIREBREAK_DATA_DIR"] = str(tmp_path)
    database = tmp_path / "firebreak.sqlite3"
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE mention (id INTEGER PRIMARY KEY, text TEXT)")
        db.executemany("INSERT INTO mention (text) VALUES (?)", [(f"m{n}",) for n in range(50)])

    backup = script("backup.sh", env=env)
    assert backup.startswith(str(tmp_path / "backups")) and os.path.getsize(backup) > 0

    with closing(sqlite3.connect(database)) as db, db:
        db.execute("DELETE FROM mention WHERE id > 10")
    with pytest.raises(subprocess.CalledProcessError):
        script("restore.sh", backup, env=env)  # refuses without --yes
    script("restore.sh", backup, "--yes", env=env)

    with closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT count(*) FROM mention").fetchone() == (50,)


@on_production_stack
@pytest.mark.django_db(transaction=True)
def test_a_postgresql_database_is_backed_up_and_restored(tmp_path):
    admin_url = test_database_url()
    name = f"backup_check_{uuid.uuid4().hex[:8]}"
    scratch_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(scratch_url, autocommit=True) as db:
            db.execute("CREATE TABLE mention (id serial PRIMARY KEY, text text)")
            db.execute("INSERT INTO mention (text) SELECT 'm' || n FROM generate_series(1, 50) n")
        env = {**os.environ, "DATABASE_URL": scratch_url, "FIREBREAK_DATA_DIR": str(tmp_path)}
        backup = script("backup.sh", str(tmp_path / "firebreak.dump"), env=env)
        with psycopg.connect(scratch_url, autocommit=True) as db:
            db.execute("DELETE FROM mention WHERE id > 10")
            db.execute("CREATE TABLE stray (id int)")
        script("restore.sh", backup, "--yes", env=env)
        with psycopg.connect(scratch_url) as db:
            assert db.execute("SELECT count(*) FROM mention").fetchone() == (50,)
            assert db.execute("SELECT max(id) FROM mention").fetchone() == (50,)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
