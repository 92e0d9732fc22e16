"""What every v1 view shares: authentication, scopes, throttling, the error shape."""

import copy
import threading

from rest_framework import generics, serializers, views
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


class FieldsOnceMixin:
    """A serializer builds its fields on every instance: a deep copy of each declared field
    (which re-runs its constructor) and, for a ModelSerializer, a reading of the model. That
    was a third of the CPU of a single-mention POST. Built once per class, copied for each
    instance."""

    def get_fields(self):
        template = type(self).__dict__.get("_field_template")
        if template is None:
            template = super().get_fields()
            type(self)._field_template = template
        # A plain field's state until it is bound is what its constructor set, never changed
        # afterwards: a shallow copy is a fresh field (bind() then sets its own name and
        # parent). Nested serializers carry bound children: those get a deep copy.
        return {
            name: copy.deepcopy(field)
            if isinstance(field, serializers.BaseSerializer)
            else copy.copy(field)
            for name, field in template.items()
        }


_per_thread = threading.local()


def reused(serializer_class, **context):
    """This thread's instance of ``serializer_class`` with this context, for the calls that
    keep nothing on the serializer between uses (``run_validation``, ``to_representation``):
    the hot paths then build the fields once per thread instead of once per request."""
    made = _per_thread.__dict__.setdefault("serializers", {})
    name = (serializer_class, tuple(sorted(context.items())))
    serializer = made.get(name)
    if serializer is None:
        serializer = made[name] = serializer_class(context=context)
    return serializer
