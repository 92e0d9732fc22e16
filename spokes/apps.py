from django.apps import AppConfig


class SpokesConfig(AppConfig):
    name = "spokes"
    verbose_name = "Departments and queues"
