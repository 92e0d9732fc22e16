"""Percentiles: ``percentile_cont`` in PostgreSQL, the same interpolation in Python elsewhere."""

import math
from collections.abc import Iterable

from django.db import connection
from django.db.models import Aggregate, FloatField, Func

# SQLite (the embedded default) has no percentile aggregate: the values are read, newest
# first, up to this many per query, and the percentiles computed here.
PYTHON_PERCENTILE_CAP = 200_000


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def percentile_cont(ordered: list[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont``: linear interpolation between the closest ranks."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentiles(values: Iterable[float], fractions=(0.5, 0.9)) -> list[float | None]:
    ordered = sorted(values)
    return [percentile_cont(ordered, f) for f in fractions]


class EpochSeconds(Func):
    """Seconds in an interval (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


class PercentileCont(Aggregate):
    """``percentile_cont(f) WITHIN GROUP (ORDER BY expr)`` (PostgreSQL only)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)
