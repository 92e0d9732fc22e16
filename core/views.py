from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.models import WorkerHeartbeat


def administrators_only(request) -> None:
    """Pages for administrators: anyone else meets a page that does not exist."""
    if not request.user.is_administrator:
        raise Http404("No such page.")


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


@login_required
def audit_log(request):
    """Administrators read the append-only audit log, newest first, filterable by action."""
    from accounts.models import AuditEvent
    from core.pagination import Ordering, keyset_page_for

    administrators_only(request)
    events = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    rows, next_cursor = keyset_page_for(
        request, events, Ordering(("created_at", "id"), descending=True), size=100
    )
    return render(
        request,
        "core/audit.html",
        {"rows": rows, "action": action, "next_cursor": next_cursor},
    )


EMAIL_STATUSES = ("pending", "sent", "failed")


@login_required
def emails(request):
    """Administrators: the emails Firebreak sent or is sending (escalations, SLA rules), newest
    first, filterable by status; a failed one may be sent again, one or all at once."""
    from core.models import OutgoingEmail
    from core.pagination import Ordering, keyset_page_for

    administrators_only(request)
    status = request.GET.get("status", "")
    rows = OutgoingEmail.objects.defer("body")
    if status in EMAIL_STATUSES:
        rows = rows.filter(status=status)
    else:
        status = ""
    page, next_cursor = keyset_page_for(
        request, rows, Ordering(("created_at", "id"), descending=True), size=100
    )
    failed = OutgoingEmail.objects.filter(status="failed").count()
    return render(
        request,
        "core/emails.html",
        {
            "rows": page,
            "status": status,
            "statuses": EMAIL_STATUSES,
            "failed": failed,
            "next_cursor": next_cursor,
        },
    )


@login_required
@require_POST
def email_resend(request, email_id: int):
    from django.contrib import messages

    from core import mail
    from core.errors import Conflict, NotFound

    administrators_only(request)
    try:
        email = mail.email_resend(actor=request.user, email_id=email_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The email to {email.to} is on its way again.")
    return redirect("emails")


@login_required
@require_POST
def emails_resend_failed(request):
    from django.contrib import messages

    from core import mail

    administrators_only(request)
    count = mail.emails_resend_failed(actor=request.user)
    messages.success(request, f"{count} failed email{'s' if count != 1 else ''} on the way again.")
    return redirect("emails")
