"""Retention: ``prune_delivery_logs`` deletes old finished webhook deliveries and emails only,
and only with --yes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import AuditEvent
from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from core.models import EmailStatus, OutgoingEmail


@pytest.fixture
def logs(db):
    subscription = WebhookSubscription.objects.create(
        url="https://hooks.example.com/x", events=["mention.created"], secret="s"
    )
    rows = {}
    for status in DeliveryStatus.values:
        for age in ("old", "new"):
            rows[f"hook-{status}-{age}"] = WebhookDelivery.objects.create(
                subscription=subscription, event="mention.created", status=status
            )
    for status in EmailStatus.values:
        for age in ("old", "new"):
            rows[f"email-{status}-{age}"] = OutgoingEmail.objects.create(
                to="a@example.com", subject="s", body="b", kind="test", status=status
            )
    long_ago = timezone.now() - timedelta(days=100)
    for name, row in rows.items():
        if name.endswith("-old"):
            type(row).objects.filter(pk=row.pk).update(created_at=long_ago)
    return rows


def run(*args) -> str:
    out = StringIO()
    call_command("prune_delivery_logs", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_and_deletes_nothing(logs):
    assert "2 webhook deliveries, 2 emails finished before" in run("--older-than", "90")
    assert WebhookDelivery.objects.count() == 6 and OutgoingEmail.objects.count() == 6
    assert not AuditEvent.objects.exists()


def test_with_yes_only_old_finished_rows_go_and_the_prune_is_audited(logs):
    assert "Deleted 2 webhook deliveries, 2 emails" in run("--older-than", "90", "--yes")
    left = {str(r.status) + ("-old" if r.created_at < timezone.now() - timedelta(days=1) else "")
            for r in [*WebhookDelivery.objects.all(), *OutgoingEmail.objects.all()]}  # fmt: skip
    assert left == {"pending-old", "pending", "succeeded", "failed", "sent"}
    assert WebhookDelivery.objects.count() == 4 and OutgoingEmail.objects.count() == 4
    event = AuditEvent.objects.get(action="retention.delivery_logs_pruned")
    assert event.data["webhook_deliveries"] == 2 and event.data["emails"] == 2
    assert "Deleted 0 webhook deliveries, 0 emails" in run("--older-than", "90", "--yes")


def test_a_cut_off_under_a_day_is_refused(logs):
    with pytest.raises(CommandError, match="at least 1 day"):
        run("--older-than", "0", "--yes")
    assert WebhookDelivery.objects.count() == 6
