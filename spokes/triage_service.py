"""Apply triage to stored mentions: route, score, flag, prioritise. Idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.events import department_group, publish
from spokes import triage
from spokes.models import Activity, Department, Mention

DEFAULT_SLA = timedelta(hours=4)
URGENT_SLA = timedelta(hours=1)


def triage_batch(mention_ids: list[int]) -> int:
    departments = list(Department.objects.all())
    default = next(
        (d for d in departments if d.is_default), departments[0] if departments else None
    )
    done = 0
    with transaction.atomic():
        mentions = list(
            Mention.objects.select_for_update()
            .filter(pk__in=mention_ids, triaged_at__isnull=True)
            .select_related("thread_root")
        )
        open_authors = set(
            Mention.objects.filter(
                author_id__in={m.author_id for m in mentions}, resolved_at__isnull=True
            )
            .exclude(pk__in=mention_ids)
            .values_list("author_id", flat=True)
        )
        now = timezone.now()
        for mention in mentions:
            if mention.department_id is None:
                if mention.thread_root and mention.thread_root.department_id:
                    mention.department_id = mention.thread_root.department_id
                else:
                    routed = triage.route(mention.text, departments) or default
                    mention.department_id = routed.pk if routed else None
            score = triage.sentiment(mention.text)
            flags = triage.risk_flags(mention.text)
            mention.sentiment = score
            mention.flags = flags
            mention.contact_point = triage.contact_point(mention.text, flags, score)
            priority = triage.priority(reach=mention.reach, score=score, flags=flags)
            if mention.author_id in open_authors and priority < 4:
                priority += 1  # a customer writing again while still waiting
            mention.priority = priority
            mention.sla_due_at = mention.received_at + (
                URGENT_SLA if priority >= 4 else DEFAULT_SLA
            )
            mention.triaged_at = now
            done += 1
        Mention.objects.bulk_update(
            mentions,
            [
                "department",
                "sentiment",
                "flags",
                "contact_point",
                "priority",
                "sla_due_at",
                "triaged_at",
            ],
        )
        Activity.objects.bulk_create(
            [
                Activity(
                    mention=m,
                    actor=None,
                    verb="triaged",
                    data={"priority": m.priority, "flags": m.flags},
                )
                for m in mentions
            ]
        )
        for department_id in {m.department_id for m in mentions} - {None}:
            publish(
                "mention.triaged",
                {
                    "department_id": department_id,
                    "ids": [m.pk for m in mentions if m.department_id == department_id],
                },
                groups=[department_group(department_id)],
            )
    return done
