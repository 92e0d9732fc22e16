from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from api import views

app_name = "api"


class SchemaView(SpectacularAPIView):
    permission_classes = [AllowAny]  # the contract is public; the data behind it is not
    authentication_classes = []
    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []
    url_name = "api:schema"


urlpatterns = [
    path("v1/", include("api.v1.urls")),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("keys/", views.keys, name="keys"),
    path("keys/<str:prefix>/revoke/", views.key_revoke, name="key_revoke"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:subscription_id>/", views.webhook_detail, name="webhook"),
    path("webhooks/<int:subscription_id>/active/", views.webhook_set_active, name="webhook_active"),
]
