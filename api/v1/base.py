"""What every v1 view shares: authentication, scopes, throttling, the error shape."""

from rest_framework import generics, views
from rest_framework.authentication import SessionAuthentication

from api.authentication import ApiKeyAuthentication
from api.errors import exception_handler
from api.permissions import DEFAULT_PERMISSIONS
from api.throttling import IntegrationKeyThrottle


class ApiView(views.APIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = DEFAULT_PERMISSIONS
    throttle_classes = [IntegrationKeyThrottle]
    required_scope: str | None = None  # None: read for GET, write otherwise

    def get_exception_handler(self):
        return exception_handler


class ListApiView(ApiView, generics.GenericAPIView):
    pass
