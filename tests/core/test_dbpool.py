"""The pool's check before lending a connection (core.dbpool), on PostgreSQL."""

import time

import psycopg
import pytest
from django.db import connection

from core import dbpool

pytestmark = pytest.mark.django_db


@pytest.fixture
def idle():
    """A connection as the pool keeps it: autocommit, idle, nothing sent since."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connection pool")
    params = connection.get_connection_params()
    params["autocommit"] = True
    conn = psycopg.connect(**params)
    conn.execute("SELECT 1")
    yield conn
    conn.close()


@pytest.fixture
def full_checks(monkeypatch):
    """The round-trip checks run, counted (and still run)."""
    calls = []
    real = dbpool.ConnectionPool.check_connection

    def counted(conn):
        calls.append(conn)
        real(conn)

    monkeypatch.setattr(dbpool.ConnectionPool, "check_connection", staticmethod(counted))
    return calls


def test_a_quiet_idle_connection_is_lent_without_a_round_trip(idle, full_checks):
    dbpool.check_connection(idle)
    dbpool.check_connection(idle)
    assert full_checks == []


def test_a_connection_left_in_a_transaction_gets_the_full_check(idle, full_checks):
    idle.autocommit = False
    idle.execute("SELECT 1")  # a transaction now open: psycopg_pool's check refuses it
    with pytest.raises(psycopg.Error):
        dbpool.check_connection(idle)
    assert full_checks == [idle]


def test_a_connection_the_server_dropped_fails_the_check(idle, full_checks):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [idle.info.backend_pid])
    deadline = time.monotonic() + 10
    while not dbpool._has_input(idle.fileno()) and time.monotonic() < deadline:
        time.sleep(0.01)  # the termination notice and the socket's close arrive
    with pytest.raises(psycopg.OperationalError):
        dbpool.check_connection(idle)
    assert full_checks == [idle]


def test_a_closed_connection_fails_the_check(idle, full_checks):
    idle.close()
    with pytest.raises(psycopg.OperationalError):
        dbpool.check_connection(idle)
    assert full_checks == []
