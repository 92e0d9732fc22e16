from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "Central communications"

    def ready(self):
        from hub import signals  # noqa: F401 - renews the triage configuration's generation
