"""Triage stored mentions on arrival: route, score, flag, prioritise, set the SLA. Idempotent.

Runs in the Celery worker, one task per ingested batch. A batch costs a bounded number of
queries whatever its size: the untriaged mentions' ids (locked), then their rows (and the
authors' handles when a routing rule looks at them), the thread roots' departments (replies
to older mentions), the authors' open mentions counted, the routing rules and departments,
the SLA policies per (department, priority) in the batch, the escalation rules per
department, one bulk update, one bulk insert of activity rows, and the spike counters (one
upsert, one read). Only VADER runs per row.

Precedence of the department: an explicit department given at ingestion, then the thread's
root (a reply joins its parent's conversation), then the hub's routing rules and keywords,
then the default department.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from core.bulk import bulk_update_rows, insert_ignoring_conflicts
from core.events import department_group, publish
from core.isolation import TRANSIENT, exc_info, one_at_a_time
from hub import sla, snapshot
from hub.routing import Router, load_router
from hub.selectors import escalation_rules_by_department
from spokes import spikes, timers, triage
from spokes.models import OPEN_STATUSES, Activity, Author, Mention

log = logging.getLogger("firebreak.triage")


UPDATED_FIELDS = [
    "department",
    "language",
    "sentiment",
    "flags",
    "contact_point",
    "priority",
    "sla_due_at",
    "triaged_at",
]


class _SlaClock:
    """hub.sla.due_at for a batch, each (department, priority, arrival) computed once, from the
    schedules and policies already read (``hub.sla.schedules_for``, ``hub.sla.PolicyBook``); a
    department missing from them (made since) is read when first needed."""

    def __init__(self, *, schedules: dict, policies):
        self._schedules, self._due = dict(schedules), {}
        self._policies = policies

    def due(self, department, priority: int, received_at: datetime) -> datetime:
        key = (department.pk if department else None, priority, received_at)
        if key not in self._due:
            schedule = policy = None  # without a department, due_at uses the defaults
            if department is not None:
                if department.pk not in self._schedules:
                    self._schedules.update(sla.schedules_for([department]))
                schedule = self._schedules[department.pk]
                policy = self._policies.policy_for(department, priority)
            self._due[key] = sla.due_at(
                department=department,
                priority=priority,
                received_at=received_at,
                schedule=schedule,
                policy=policy,
            )
        return self._due[key]


@dataclass(frozen=True)
class _Config:
    """What triage reads from the hub's configuration, kept between batches until it changes
    (``hub.snapshot``)."""

    router: Router
    keywords: list[str]  # spike scopes
    arrival_rules: dict  # escalation rules without SLA condition, by department id and None
    schedules: dict  # business hours and holidays, by department id
    policies: sla.PolicyBook


def _load_config() -> _Config:
    router = load_router()
    return _Config(
        router=router,
        keywords=spikes.keyword_scopes(router),
        arrival_rules=escalation_rules_by_department(
            router.departments, sla_condition="", recipients=False
        ),
        schedules=sla.schedules_for(router.departments),
        policies=sla.PolicyBook(),
    )


def _repeat_authors(mentions: list[Mention]) -> set[int]:
    """Ids of mentions whose author already waits on another open mention.

    An author waits on another when they have more open mentions than the batch holds: one
    row per author from PostgreSQL, whatever their number. Excluding the batch's 500 ids in
    the statement made it compare every row with each of them (9-15 ms of its CPU a batch,
    against 1.5-2). The batch's rows are locked: their status cannot change meanwhile."""
    in_batch = Counter(m.author_id for m in mentions if m.status in OPEN_STATUSES)
    counted = _open_mentions({m.author_id: in_batch[m.author_id] + 1 for m in mentions})
    waiting = {author_id for author_id, count in counted.items() if count > in_batch[author_id]}
    repeats, seen = set(), set()
    for mention in mentions:  # ordered by id: a second post in the same batch is a repeat too
        if mention.author_id in waiting or mention.author_id in seen:
            repeats.add(mention.pk)
        seen.add(mention.author_id)
    return repeats


def _open_mentions(enough: dict[int, int]) -> dict[int, int]:
    """Each author's open mentions, counted up to ``enough[author]`` on PostgreSQL: an account
    flooding the brand with 50,000 open mentions cost every batch it appeared in 30-40 ms of
    counting them all; the count stops once it is enough to tell."""
    if connection.vendor != "postgresql":
        return dict(
            Mention.objects.filter(author_id__in_array=set(enough), status__in=OPEN_STATUSES)
            .order_by()
            .values("author_id")
            .annotate(count=Count("id"))
            .values_list("author_id", "count")
        )
    authors = sorted(enough)
    table = connection.ops.quote_name(Mention._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.author_id, (SELECT count(*) FROM (SELECT 1 FROM {table} m "  # noqa: S608
            "WHERE m.author_id = a.author_id AND m.status = ANY(%s) LIMIT a.enough) s) "
            "FROM unnest(%s::bigint[], %s::int[]) AS a(author_id, enough)",
            [sorted(OPEN_STATUSES), authors, [enough[a] for a in authors]],
        )
        return dict(cursor.fetchall())


def _root_departments(mentions: list[Mention]) -> dict[int, int | None]:
    """The departments of the threads' roots outside the batch (replies join their thread)."""
    batch = {m.pk for m in mentions}
    outside = {m.thread_root_id for m in mentions if m.thread_root_id} - batch
    if not outside:
        return {}
    return dict(Mention.objects.filter(pk__in_array=outside).values_list("id", "department_id"))


def _author_handles(mentions: list[Mention], router) -> dict[int, str]:
    """The authors' handles by id, read only when a routing rule looks at them: a mention's
    author as a model instance (``select_related``) cost about a twentieth of triage."""
    if not router.uses_handles:
        return {}
    return dict(
        Author.objects.filter(pk__in_array={m.author_id for m in mentions}).values_list(
            "id", "handle"
        )
    )


def _department(mention: Mention, router, routed: dict[int, int], roots: dict, handles: dict):
    if mention.department_id is not None:  # explicit at ingestion
        return mention.department_id, "explicit"
    root_id = mention.thread_root_id
    if root_id is not None:
        root_department = routed.get(root_id) or roots.get(root_id)
        if root_department is not None:
            return root_department, "thread"
    result = router.explain(
        mention.text,
        mention.source,
        mention.language,
        author_handle=handles.get(mention.author_id, ""),
        url=mention.url,
    )
    department = result.department or router.default
    return (department.pk if department else None), result.rule or "default"


BACKLOG_BATCH = 500


def _backlog_batch_locked() -> list[int]:
    """Ids of the oldest ``BACKLOG_BATCH`` untriaged mentions no other worker holds, locked.

    Read by walking the untriaged index in its order and stopping after a batch, so that a
    backlog of any size costs a batch the same. PostgreSQL plans it so only when its statistics
    know how many mentions wait; a backlog grows faster than they are refreshed (they said
    about 20 rows for a backlog of 20,000), and it then read the whole backlog and sorted it
    (17 ms for each batch of 500 at 20,000 waiting, growing with the backlog). Sorting is
    turned off for this one statement, inside the caller's transaction."""
    query = (
        Mention.objects.filter(triaged_at__isnull=True)
        .select_for_update(skip_locked=True)
        .order_by("received_at", "id")
        .values_list("id", flat=True)[:BACKLOG_BATCH]
    )
    if connection.vendor != "postgresql":
        return list(query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_sort')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('enable_sort', 'off', true)")
        ids = list(query)  # an error rolls the transaction back, and the setting with it
        cursor.execute("SELECT set_config('enable_sort', %s, true)", [previous])
    return ids


def triage_batch(mention_ids: list[int] | None, *, now: datetime | None = None) -> int:
    """Triage the mentions among ``mention_ids`` not triaged yet; returns how many.

    ``None`` takes the next ``BACKLOG_BATCH`` untriaged mentions, oldest first, skipping rows
    another worker holds: two workers draining the backlog split it instead of queueing on
    each other's row locks."""
    now = now or timezone.now()
    with transaction.atomic():
        if mention_ids is None:
            ids = _backlog_batch_locked()
        else:
            ids = list(
                Mention.objects.filter(triaged_at__isnull=True, pk__in_array=mention_ids)
                .select_for_update()
                .order_by("id")
                .values_list("id", flat=True)
            )
        if not ids:
            return 0
        mentions = list(Mention.objects.filter(pk__in_array=ids).order_by("id"))
        config: _Config = snapshot.current("triage", _load_config)
        router = config.router
        departments = {d.pk: d for d in router.departments}
        repeats = _repeat_authors(mentions)
        roots = _root_departments(mentions)
        handles = _author_handles(mentions, router)
        routed: dict[int, int] = {}
        how: dict[int, str] = {}
        for mention in mentions:
            if not mention.language:
                mention.language = triage.guess_language(mention.text)
            department_id, how[mention.pk] = _department(mention, router, routed, roots, handles)
            mention.department_id = department_id
            if department_id is not None:
                routed[mention.pk] = department_id
            score = triage.sentiment(mention.text)
            flags = triage.risk_flags(mention.text)
            contact = triage.contact_point(mention.text, flags, score)
            mention.sentiment = score
            mention.flags = flags
            mention.contact_point = contact
            mention.priority = triage.priority(
                reach=mention.reach,
                score=score,
                flags=flags,
                contact=contact,
                money=triage.mentions_money(mention.text),
                repeat_author=mention.pk in repeats,
            )
            mention.triaged_at = now
        escalated = timers.escalate_on_arrival(
            mentions, departments=departments, now=now, rules_for=config.arrival_rules
        )
        clock = _SlaClock(schedules=config.schedules, policies=config.policies)
        for mention in mentions:
            mention.sla_due_at = clock.due(
                departments.get(mention.department_id), mention.priority, mention.received_at
            )
        bulk_update_rows(mentions, UPDATED_FIELDS)
        insert_ignoring_conflicts(
            Activity,
            [
                {
                    "mention_id": m.pk,
                    "actor_id": None,
                    "verb": "triaged",
                    "data": {
                        "priority": m.priority,
                        "flags": m.flags,
                        "routed_by": how[m.pk],
                        **({"escalated_by": escalated[m.pk]} if m.pk in escalated else {}),
                    },
                    "created_at": now,
                }
                for m in mentions
            ],
            returning=["id"],
        )
        for department_id in sorted({m.department_id for m in mentions} - {None}):
            publish(
                "mention.triaged",
                {
                    "department_id": department_id,
                    "ids": [m.pk for m in mentions if m.department_id == department_id],
                },
                groups=[department_group(department_id)],
            )
        spikes.record_and_detect(mentions, router=router, now=now, keywords=config.keywords)
    return len(mentions)


def triage_isolating(mention_ids: list[int], *, now: datetime | None = None) -> int:
    """``triage_batch(mention_ids)``, and if the batch fails (not for a transient database
    reason), each of its mentions alone: one mention that makes triage fail (a bug meeting a
    text nobody foresaw) must not hold back the others, batch after batch, for ever."""
    try:
        return triage_batch(mention_ids, now=now)
    except TRANSIENT:
        raise
    except Exception:
        log.exception("a triage batch of %s failed; triaging its mentions alone", len(mention_ids))
    return _triage_each(mention_ids, now=now)


def _triage_each(mention_ids: list[int], *, now: datetime | None) -> int:
    """Each mention in a transaction of its own. Those that fail alone while others succeed
    are marked (``_mark_triage_failed``); when none succeeds, the fault is not the mentions'
    (the configuration, a bug on every path): nothing is marked, the error is raised, and the
    task's retries and the outbox sweeper try them again later."""
    done = 0

    def triage_alone(mention_id: int) -> int:
        nonlocal done
        count = triage_batch([mention_id], now=now)
        done += count
        return count

    for mention_id, exc in one_at_a_time(mention_ids, triage_alone):
        log.error(
            "triage of mention %s failed; left for people to triage",
            mention_id,
            exc_info=exc_info(exc),
        )
        done += _mark_triage_failed(mention_id, exc, now=now or timezone.now())
    return done


def _mark_triage_failed(mention_id: int, exc: Exception, *, now: datetime) -> int:
    """Take the mention out of the backlog as it is (its queue shows it, without a computed
    priority or SLA) and say so in its history."""
    with transaction.atomic():
        mention = (
            Mention.objects.select_for_update()
            .filter(pk=mention_id, triaged_at__isnull=True)
            .only("id", "department_id", "triaged_at")
            .first()
        )
        if mention is None:
            return 0
        mention.triaged_at = now
        mention.save(update_fields=["triaged_at"])
        Activity.objects.create(
            mention=mention,
            actor=None,
            verb="triage_failed",
            data={"reason": f"automatic triage failed ({type(exc).__name__}): triage it by hand"},
            created_at=now,
        )
        if mention.department_id is not None:
            publish(
                "mention.triaged",
                {"department_id": mention.department_id, "ids": [mention.pk]},
                groups=[department_group(mention.department_id)],
            )
    return 1


def _oldest_untriaged() -> list[int]:
    return list(
        Mention.objects.filter(triaged_at__isnull=True)
        .order_by("received_at", "id")
        .values_list("id", flat=True)[:BACKLOG_BATCH]
    )


def triage_backlog() -> int:
    """Triage every untriaged mention committed before it started, a batch per transaction;
    returns how many.

    Stops after a batch that was not full: what is left was committed after this task lowered
    the flag (``spokes.tasks``), so another task is on its way for it, gathering what arrives
    meanwhile, or is held by another worker draining it. Under a steady stream, draining on
    would triage in ever smaller batches, each paying a batch's fixed cost and a live event
    per department."""
    total = 0
    while True:
        try:
            done = triage_batch(None)
        except TRANSIENT:
            raise
        except Exception:
            log.exception("a backlog batch failed; triaging its mentions alone")
            done = _triage_each(_oldest_untriaged(), now=None)
        total += done
        if done < BACKLOG_BATCH:
            break
    return total
