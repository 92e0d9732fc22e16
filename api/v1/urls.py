"""The v1 surface: each resource module contributes its ``urlpatterns`` here."""

from api.v1 import departments, hub, mentions

RESOURCES = [mentions, departments, hub]  # replies, incidents: append their modules

urlpatterns = [pattern for module in RESOURCES for pattern in module.urlpatterns]
