from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.models import WorkerHeartbeat


def healthz(request):
    """Liveness of the pieces: database, and whether a Celery worker ran the heartbeat lately."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = WorkerHeartbeat.objects.order_by("-seen_at").first()
    worker_ok = beat is not None and beat.seen_at > timezone.now() - timedelta(seconds=120)
    return JsonResponse(
        {
            "database": "ok",
            "worker": "ok" if worker_ok else "stale",
            "worker_seen_at": beat.seen_at.isoformat() if beat else None,
        },
        status=200,
    )


@login_required
def notifications(request):
    items = request.user.notifications.all()[:100]
    return render(request, "core/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")
