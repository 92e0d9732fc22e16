import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("firebreak")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _tune_gc(**_):
    from core.gctune import tune_for_server

    tune_for_server()


@task_prerun.connect
@task_postrun.connect
def _tidy_connections(task=None, **_):
    """Before and after each task, what Django does before and after each request: close the
    database connections that are broken or older than ``CONN_MAX_AGE``, and have the next
    query check the one kept (``CONN_HEALTH_CHECKS``).

    Celery's own Django fixup closes every connection around every task instead, whatever
    ``CONN_MAX_AGE`` says, unless ``CELERY_DB_REUSE_MAX`` is set (it is, in the settings):
    each task then paid a new PostgreSQL connection (a backend forked, authenticated, its
    catalogue caches cold) and re-planned the statements a kept connection has prepared.
    Eager tasks (the test settings) run inside the caller's transaction: left alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
