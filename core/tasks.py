import socket

from celery import shared_task
from django.utils import timezone

from core.models import WorkerHeartbeat


@shared_task
def record_heartbeat() -> str:
    name = socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
    return name


from core.mail import send_email  # noqa: E402, F401 - registers the email task
from core.outbox import sweep_pending_work_task  # noqa: E402, F401 - registers the beat task
