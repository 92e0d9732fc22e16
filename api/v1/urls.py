"""The v1 surface: each resource module contributes its ``urlpatterns`` here."""

from api.v1 import departments, hub, incidents, mentions, replies

RESOURCES = [mentions, departments, hub, replies, incidents]

urlpatterns = [pattern for module in RESOURCES for pattern in module.urlpatterns]
