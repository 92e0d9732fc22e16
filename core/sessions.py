"""Django's database sessions, refusing a cookie that no session key can be.

Django accepts any cookie value of 8 characters or more as a session key and looks it up. Its
cookie parser undoes quoting, so ``sessionid="abcdefgh\\000"`` arrives holding a NUL, which
PostgreSQL refuses in a query: every page (and the live socket's handshake) answered 500 to
anyone sending that cookie. Keys Django makes are lowercase letters and digits; anything else is
treated like no session at all (a new, empty one).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS

_KEY_CHARS = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(key) and len(key) >= 8 and _KEY_CHARS.issuperset(key)
