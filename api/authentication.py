"""``Authorization: Api-Key <key>``: integration keys, never read from the query string."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from api.models import IntegrationKey
from api.services import integration_key_service_account

KEYWORD = "Api-Key"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Sets ``request.user`` to the key's service account and ``request.auth`` to the key."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _, raw = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None  # not ours: session authentication (or none) applies
        raw = raw.strip()
        if not raw or " " in raw:
            raise exceptions.AuthenticationFailed("Malformed Api-Key header.")
        prefix, _, _ = raw.partition(".")
        key = (
            IntegrationKey.objects.select_related("user")
            .filter(prefix=prefix, revoked=False)
            .first()
        )
        if key is None or not key.is_valid(raw):
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        if key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        user = integration_key_service_account(key)
        if not user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        self._touch(key)
        return user, key

    @staticmethod
    def _touch(key: IntegrationKey) -> None:
        """Record use at most once a minute, so a busy key costs no write per request."""
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now

    def authenticate_header(self, request):
        return KEYWORD


def integration_key(request) -> IntegrationKey | None:
    """The key a request was made with, or None for a browser session."""
    return request.auth if isinstance(request.auth, IntegrationKey) else None
