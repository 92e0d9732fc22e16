"""Per-key request limits counted in the shared cache (Redis in production).

A fixed window per key: one atomic ``incr`` per request, so the count holds across every web
process. A refused request gets 429 with ``Retry-After`` set to the seconds left in the window.
"""

import logging
import time

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from api.authentication import integration_key
from core.cache import count_in_window

log = logging.getLogger("firebreak.api")

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class IntegrationKeyThrottle(BaseThrottle):
    """Limits each integration key (and each session user) to ``integration_key`` rate."""

    scope = "integration_key"

    def __init__(self):
        self._wait = None

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        key = integration_key(request)
        if key is not None:
            return f"key:{key.prefix}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"ip:{super().get_ident(request)}"

    def allow_request(self, request, view) -> bool:
        rate = self.get_rate()
        if not rate:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        cache_key = f"api-throttle:{self.get_ident(request)}:{period}:{window}"
        try:
            count = count_in_window(caches["default"], cache_key, period + 1)
        except Exception:  # the shared cache is down: serve rather than fail every request
            log.warning("throttle cache unavailable; request allowed")
            return True
        if count > limit:
            self._wait = max(1, int((window + 1) * period - now + 0.999))
            return False
        return True

    def wait(self):
        return self._wait
