"""Batches that must not be held back by one bad item.

Triage, the SLA tick and a bulk response's hand-over each work on many items in one
transaction. When that fails for a reason other than the database going away, the items are
taken again one at a time (:func:`one_at_a_time`): one item that makes the work fail (a bug
meeting data nobody foresaw) must not stop it for every other item, batch after batch.
"""

from django.db import InterfaceError, OperationalError

# The database going away or refusing for a moment: the whole batch is retried later.
TRANSIENT = (OperationalError, InterfaceError)


def one_at_a_time(items, handle) -> list[tuple[object, Exception]]:
    """``handle(item)`` for each item, each its own unit of work; returns the items that failed
    alone, with their errors, for the caller to mark or log.

    ``handle`` answers whether the item did something. When some failed and none did, the
    fault is not the items' (the configuration, a bug on every path): the first error is
    raised and nothing is returned to mark, so the caller's retries try them all again later.
    A transient database error is raised at once."""
    succeeded, failed = False, []
    for item in items:
        try:
            succeeded |= bool(handle(item))
        except TRANSIENT:
            raise
        except Exception as exc:
            failed.append((item, exc))
    if failed and not succeeded:
        raise failed[0][1]
    return failed


def exc_info(exc: Exception) -> tuple:
    """For ``logging``'s ``exc_info``: an error caught earlier, with its traceback."""
    return (type(exc), exc, exc.__traceback__)
