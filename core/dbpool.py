"""The check the web processes' connection pool runs before lending a connection.

psycopg_pool's own check (what Django installs with ``CONN_HEALTH_CHECKS``) sends an empty
statement and waits for the answer: a round trip to the database for every request, the
commonest statement the load test sent. A connection that has sat in the pool is only in
doubt if the server has told it something since: a server that shuts down, restarts or
terminates the backend sends an error and closes the socket, and the closing alone makes the
socket readable. So: a connection whose socket has nothing to read, and which is idle outside
any transaction, is lent as it is; any other gets psycopg_pool's full check, which raises if
the connection is gone (the pool then discards it and lends or opens another).

A connection that died without a word (a network path cut, no reset ever arriving) passes this
check; its request's first statement then waits for TCP to give up and fails, and the pool
drops the connection. psycopg_pool's check would have waited as long, in the same request.
"""

import select

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool


def _has_input(fileno: int) -> bool:
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def check_connection(conn) -> None:
    """Raise if ``conn`` is unusable; a round trip only when it may be."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    if conn.info.transaction_status != pq.TransactionStatus.IDLE or _has_input(conn.fileno()):
        ConnectionPool.check_connection(conn)
