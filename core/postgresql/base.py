"""Django's PostgreSQL backend, reading ``timestamptz`` columns with psycopg's C loader.

Django registers its own loader for ``timestamptz`` on every connection, a Python subclass of
psycopg's pure-Python one that parses each value with a regular expression and then replaces
its time zone with the connection's: about 5 us per value on the reference machine, against
a fraction of one for psycopg's compiled loader. A queue page reads about 260 such values, a
triage batch of 500 mentions about 3,000.

When Django's connection time zone is UTC (``USE_TZ`` and the database's ``TIME_ZONE`` unset,
as here), the compiled loader gives the same values: Django sets the session's ``TimeZone`` to
UTC on every connection, and the compiled loader attaches the session's zone,
``datetime.timezone.utc`` for UTC. Any other configuration keeps Django's loader.
"""

import datetime
from functools import lru_cache

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import get_adapters_template
from psycopg import adapt

from core.dbpool import check_connection

try:  # psycopg's compiled implementation: psycopg[binary], or psycopg[c]
    from psycopg_binary._psycopg import TimestamptzLoader as _Compiled
except ImportError:  # pragma: no cover
    try:
        from psycopg_c._psycopg import TimestamptzLoader as _Compiled
    except ImportError:
        _Compiled = None


class UtcTimestamptzLoader(adapt.Loader):
    """psycopg's compiled loader behind the ``timezone`` attribute Django's cursors compare
    (its class cannot be subclassed): the instance's ``load`` is the compiled one's, so psycopg
    calls it without a Python frame in between."""

    timezone = datetime.UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.load = _Compiled(oid, context).load

    def load(self, data):  # replaced per instance in __init__
        raise NotImplementedError


@lru_cache
def adapters_template(use_tz: bool, timezone) -> adapt.AdaptersMap:
    """Django's adapters for these settings, with the compiled loader where it gives the same
    values."""
    template = get_adapters_template(use_tz, timezone)
    if _Compiled is None or not use_tz or timezone is not datetime.UTC:
        return template
    adapters = adapt.AdaptersMap(template)
    adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["context"] = adapters_template(settings.USE_TZ, self.timezone)
        return params

    @property
    def pool(self):
        """Django's pool, checking connections with ``core.dbpool.check_connection`` instead of
        psycopg_pool's round trip (Django passes that one to the pool when health checks are
        on, and takes no other)."""
        pool = super().pool
        if pool is not None and self.settings_dict["CONN_HEALTH_CHECKS"]:
            pool._check = check_connection
        return pool
