"""Ingestion: mentions pushed in by monitoring tools, idempotent on (source, external_id).

Rows are written in one transaction per batch and triaged by the Celery worker after commit
(one task per batch). A repeat of an already-known mention returns the existing row unchanged.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.events import department_group, publish
from spokes.models import Author, Mention


@dataclass
class IngestResult:
    mention: Mention
    created: bool


def _author(source: str, data: dict) -> Author:
    author, created = Author.objects.get_or_create(
        source=source,
        handle=data["handle"],
        defaults={
            "display_name": data.get("display_name", ""),
            "followers": data.get("followers", 0),
            "profile_url": data.get("url", ""),
        },
    )
    if not created and data.get("followers", author.followers) != author.followers:
        author.followers = data["followers"]
        author.save(update_fields=["followers"])
    return author


def mentions_ingest(*, items: list[dict], departments_by_slug: dict | None = None) -> list:
    """Store validated items; returns one IngestResult per item, in order.

    ``items`` are dicts with source, external_id, author{handle, display_name, followers, url},
    text, url, posted_at, language, parent_external_id, department (a Department or None).
    """
    now = timezone.now()
    results: list[IngestResult] = []
    with transaction.atomic():
        keys = [(i["source"], i["external_id"]) for i in items]
        existing = {
            (m.source, m.external_id): m
            for m in Mention.objects.filter(
                external_id__in=[k[1] for k in keys], source__in={k[0] for k in keys}
            )
        }
        parents = {
            (m.source, m.external_id): m
            for m in Mention.objects.filter(
                external_id__in=[
                    i["parent_external_id"] for i in items if i.get("parent_external_id")
                ]
            )
        }
        for item in items:
            key = (item["source"], item["external_id"])
            if key in existing:
                results.append(IngestResult(existing[key], created=False))
                continue
            parent = parents.get((item["source"], item.get("parent_external_id") or ""))
            mention = Mention(
                source=item["source"],
                external_id=item["external_id"],
                author=_author(item["source"], item["author"]),
                reach=item["author"].get("followers", 0),
                text=item["text"],
                url=item.get("url", ""),
                language=item.get("language", ""),
                posted_at=item.get("posted_at") or now,
                received_at=now,
                department=item.get("department"),
                parent=parent,
                thread_root=(parent.thread_root or parent) if parent else None,
            )
            try:
                with transaction.atomic():  # a concurrent duplicate loses only this savepoint
                    mention.save()
            except IntegrityError:
                mention = Mention.objects.get(source=key[0], external_id=key[1])
                results.append(IngestResult(mention, created=False))
                existing[key] = mention
                continue
            existing[key] = mention
            parents[key] = mention
            results.append(IngestResult(mention, created=True))
        created_ids = [r.mention.pk for r in results if r.created]
        if created_ids:
            from spokes.tasks import triage_mentions

            transaction.on_commit(lambda: triage_mentions.delay(created_ids))
            for department_id in {r.mention.department_id for r in results if r.created} - {None}:
                publish(
                    "mention.received",
                    {"department_id": department_id, "count": len(created_ids)},
                    groups=[department_group(department_id)],
                )
    return results
