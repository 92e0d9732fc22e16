import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("firebreak")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes the database connections around every task, whatever
# DB_CONN_MAX_AGE says; kept so. Measured with `make bench-ingest`: a worker keeping its
# connection from task to task triaged 3-4 times slower (20,000 mentions in 18-23 s against
# 6 s), and as fast again with PostgreSQL told to plan every statement afresh
# (plan_cache_mode=force_custom_plan): the generic plans a connection caches were made while
# the tables were small. A new connection per task plans on the tables as they are; it costs
# a few milliseconds, and triage runs a few tasks a second.


@worker_process_init.connect
def _tune_gc(**_):
    from core.gctune import tune_for_server

    tune_for_server()
