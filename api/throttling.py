"""Per-key request limits counted in the shared cache (Redis in production).

A fixed window per key: one atomic count per request, so the count holds across every web
process. A refused request gets 429 with ``Retry-After`` set to the seconds left in the window.
A request made with an integration key is counted while its key is read from the cache, in the
same round trip (``api.authentication``); others are counted here.
"""

import logging
import time
from typing import NamedTuple

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from api.models import IntegrationKey
from core.cache import count_in_window

log = logging.getLogger("firebreak.api")

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# Set on a request by authentication once it has counted it: (ident, window, count), the count
# None when the shared cache could not be reached.
COUNTED = "_firebreak_counted"


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class Window(NamedTuple):
    cache_key: str
    limit: int
    period: int
    number: int  # windows since the epoch

    @property
    def timeout(self) -> int:
        return self.period + 1

    def retry_after(self, now: float) -> int:
        return max(1, int((self.number + 1) * self.period - now + 0.999))


class IntegrationKeyThrottle(BaseThrottle):
    """Limits each integration key (and each session user) to ``integration_key`` rate."""

    scope = "integration_key"

    def __init__(self):
        self._wait = None

    @classmethod
    def window(cls, ident: str, now: float) -> Window | None:
        """The window ``ident``'s request at ``now`` counts in; None without a limit."""
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(cls.scope)
        if not rate:
            return None
        limit, period = parse_rate(rate)
        number = int(now // period)
        return Window(f"api-throttle:{ident}:{period}:{number}", limit, period, number)

    @staticmethod
    def key_ident(prefix: str) -> str:
        return f"key:{prefix}"

    def get_ident(self, request) -> str:
        # ``api.authentication.integration_key`` in short: that module imports this one.
        if isinstance(request.auth, IntegrationKey):
            return self.key_ident(request.auth.prefix)
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"ip:{super().get_ident(request)}"

    def allow_request(self, request, view) -> bool:
        ident = self.get_ident(request)
        counted = getattr(request, COUNTED, None)
        if counted is not None and counted[0] == ident:
            _, window, count = counted
        else:
            window = self.window(ident, time.time())
            if window is None:
                return True
            try:
                count = count_in_window(caches["default"], window.cache_key, window.timeout)
            except Exception:
                count = None
        if count is None:  # the shared cache is down: serve rather than fail every request
            log.warning("throttle cache unavailable; request allowed")
            return True
        if count > window.limit:
            self._wait = window.retry_after(time.time())
            return False
        return True

    def wait(self):
        return self._wait
