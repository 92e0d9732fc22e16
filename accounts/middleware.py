"""Every time on a page in its reader's own zone.

Reading the zone costs no query of its own: the user the authentication middleware puts on
the request is loaded once, here or a step later (``core.middleware.SessionTimeoutMiddleware``
reads ``is_authenticated`` on every request), and that one load serves every reader.

The JSON API (``/api/v1/``) always answers in UTC, whoever calls it: an integration's payloads
must not change with a browser's session.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

API_PREFIX = "/api/v1/"


def zone_of(user) -> ZoneInfo | None:
    """The user's own zone, or None for the organisation's (``settings.TIME_ZONE``)."""
    name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a zone the system's tz database dropped
        return None


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        if not request.path.startswith(API_PREFIX):
            zone = zone_of(getattr(request, "user", None))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # the next request on this thread starts from the default
