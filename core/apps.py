from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import (
            auth_audit,  # noqa: F401  (connects the auth audit receivers)
            lookups,  # noqa: F401  (registers the in_array lookup)
        )
