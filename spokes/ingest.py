"""Ingestion: mentions pushed in by monitoring tools, idempotent on (source, external_id).

A batch costs a constant number of queries whatever its size: existing mentions and authors
are read in one query each, new authors and new mentions are written with one multi-row
``INSERT ... ON CONFLICT DO NOTHING`` each, and threads are linked with one bulk update. The
insert returns only the rows it wrote, so a concurrent duplicate (another request inserting
the same (source, external_id) at the same moment) is detected exactly: the loser's row is
skipped by the database and read back as existing. Rows are triaged by the Celery worker after
commit (``spokes.tasks.triage_on_commit``). A repeat of an already-known mention returns it
unchanged.

Single mentions arriving at once share a transaction (:func:`mention_ingest_one`).
"""

import dataclasses
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from core.bulk import insert_ignoring_conflicts
from core.events import department_group, publish
from spokes.models import Author, Mention

log = logging.getLogger("firebreak.ingest")

CHUNK = 500  # rows per INSERT: well inside SQLite's and PostgreSQL's parameter limits
GROUP_MAX = 200  # single mentions per shared transaction


@dataclass
class IngestResult:
    mention: Mention
    created: bool


def _wanted_authors(items: list[dict]) -> dict[tuple, dict]:
    wanted: dict[tuple, dict] = {}
    for item in items:
        wanted.setdefault((item["source"], item["author"]["handle"]), item["author"])
    return wanted


def _authors_read(wanted: dict[tuple, dict]) -> dict[tuple, Author]:
    return {(a.source, a.handle): a for a in _authors_by_key(wanted.keys())}


def _authors_to_write(wanted: dict[tuple, dict], found: dict[tuple, Author]):
    """(the authors not stored yet, sorted; the stored ones whose follower count changed)."""
    # Sorted: concurrent batches sharing new authors then take the unique-index locks in the
    # same order and queue behind each other instead of deadlocking.
    missing = sorted(key for key in wanted if key not in found)
    changed = []
    for key, data in wanted.items():
        author = found.get(key)
        followers = data.get("followers")
        if author is not None and followers is not None and followers != author.followers:
            author.followers = followers
            changed.append(author)
    return missing, changed


def _authors(items: list[dict]) -> dict[tuple, Author]:
    """Every item's author, by (source, handle): read in one query, new ones inserted at once."""
    wanted = _wanted_authors(items)
    found = _authors_read(wanted)
    return _authors_written(wanted, found, *_authors_to_write(wanted, found))


def _authors_written(wanted, found, missing, changed) -> dict[tuple, Author]:
    """``found`` completed with the ``missing`` authors, inserted, and the ``changed`` ones'
    follower counts written."""
    if missing:
        new = {
            (source, handle): Author(
                source=source,
                handle=handle,
                display_name=wanted[(source, handle)].get("display_name", "") or "",
                followers=wanted[(source, handle)].get("followers", 0) or 0,
                profile_url=wanted[(source, handle)].get("url", "") or "",
            )
            for source, handle in missing
        }
        for pk, source, handle in insert_ignoring_conflicts(
            Author, list(new.values()), ["id", "source", "handle"]
        ):
            author = new[(source, handle)]
            author.pk = author.id = pk
            author._state.adding = False
            found[(source, handle)] = author
        lost = [key for key in missing if key not in found]
        if lost:  # inserted by a concurrent batch a moment ago
            found.update({(a.source, a.handle): a for a in _authors_by_key(lost)})
            for key in lost:
                followers = wanted[key].get("followers")
                if followers is not None and followers != found[key].followers:
                    found[key].followers = followers
                    changed.append(found[key])
    if changed:
        changed.sort(key=lambda author: author.pk)  # the same lock order in every batch
        Author.objects.bulk_update(changed, ["followers"])
    return found


def _authors_first(items: list[dict]) -> dict[tuple, Author] | None:
    """``_authors`` before the mentions' transaction, on PostgreSQL when no caller's
    transaction is open; otherwise None: the mentions' transaction writes them.

    Inserting an author that another open transaction has just inserted, or updating one it
    has just updated, waits until that transaction ends. Within the mentions' transaction,
    concurrent batches sharing authors (a crisis: the same people posting, several tools
    pushing) therefore waited for each other's whole batch, written one after another: 5.7
    s of the statement time of `make bench-ingest`'s 98 author inserts was such waiting. In a
    transaction of their own, a batch waits at most for another's author rows. An author
    stored for a batch whose mentions then fail to be written stays, like a contact seen
    once: the retry finds it. SQLite takes one writer at a time anyway.

    The authors are read outside any transaction: when all are known and unchanged (the
    usual case for a single mention), nothing is written and no transaction is opened, which
    spares its BEGIN and COMMIT, two round trips to the database."""
    if not items or connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    wanted = _wanted_authors(items)
    found = _authors_read(wanted)
    missing, changed = _authors_to_write(wanted, found)
    if not missing and not changed:
        return found
    with transaction.atomic():
        return _authors_written(wanted, found, missing, changed)


def _by_source(keys, column: str) -> tuple[str, list]:
    """``WHERE`` clause and parameters matching (source, ``column``) pairs."""
    by_source: dict[str, set] = {}
    for source, value in keys:
        by_source.setdefault(source, set()).add(value)
    clauses, params = [], []
    for source, values in by_source.items():
        clauses.append(f"(source = %s AND {column} IN ({', '.join(['%s'] * len(values))}))")
        params.append(source)
        params.extend(sorted(values))
    return " OR ".join(clauses) or "1 = 0", params


def _select(model, names: list[str], keys, column: str) -> list:
    """Instances of ``model`` with the fields ``names`` (the others deferred) matching
    (source, ``column``) pairs. One plain statement: ingestion asks it twice per batch, and
    the ORM's query compiler cost more than the query itself for a batch of one.

    On PostgreSQL the pairs are joined to the table as arrays: each is then one lookup in
    the unique index on both columns, whatever the planner's statistics say. With
    ``source = ... AND column IN (...)`` and statistics from before a source's burst, the
    planner took the values list for a filter and read every row of the source: 6 ms per
    request after 9,000 mentions, growing (seen in the load test)."""
    conn = connections[DEFAULT_DB_ALIAS]
    columns, table, joined, attnames = _select_parts(model, tuple(names), column)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            pairs = sorted(set(keys))
            cursor.execute(joined, [[source for source, _ in pairs], [value for _, value in pairs]])
        else:
            where, params = _by_source(keys, column)
            cursor.execute(f"SELECT {columns} FROM {table} t WHERE {where}", params)  # noqa: S608
        rows = cursor.fetchall()
    return [model.from_db(DEFAULT_DB_ALIAS, attnames, row) for row in rows]


@lru_cache(maxsize=16)
def _select_parts(model, names: tuple, column: str) -> tuple:
    """(quoted columns, quoted table, PostgreSQL's statement, attnames) of a ``_select``: the
    same on every call, so made once."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(f"t.{quote(model._meta.get_field(n).column)}" for n in names)
    table = quote(model._meta.db_table)
    joined = (
        f"SELECT {columns} FROM unnest(%s::text[], %s::text[]) AS k(source, value) "  # noqa: S608
        f"JOIN {table} t ON t.source = k.source AND t.{quote(column)} = k.value"
    )
    return columns, table, joined, [model._meta.get_field(n).attname for n in names]


# Plain columns only (text and integers): no database converter applies to them.
AUTHOR_FIELDS = ["id", "source", "handle", "display_name", "followers", "profile_url"]
KNOWN_MENTION_FIELDS = ["id", "source", "external_id", "thread_root", "department"]


def _authors_by_key(keys) -> list[Author]:
    return _select(Author, AUTHOR_FIELDS, keys, "handle")


def _mentions_by_key(keys) -> list[Mention]:
    """Known mentions, with the fields ingestion uses loaded (the others load on access)."""
    return _select(Mention, KNOWN_MENTION_FIELDS, keys, "external_id")


def mentions_ingest(*, items: list[dict], departments_by_slug: dict | None = None) -> list:
    """Store validated items; returns one IngestResult per item, in order.

    ``items`` are dicts with source, external_id, author{handle, display_name, followers, url},
    text, url, posted_at, language, parent_external_id, department (a Department or None).
    """
    if not items:
        return []
    now = timezone.now()
    keys = [(i["source"], i["external_id"]) for i in items]
    parent_keys = {
        (i["source"], i["parent_external_id"]) for i in items if i.get("parent_external_id")
    }
    known = {(m.source, m.external_id): m for m in _mentions_by_key(set(keys) | parent_keys)}
    existing = {key: known[key] for key in keys if key in known}
    new_items, seen = [], set()
    for item, key in zip(items, keys, strict=True):
        if key not in existing and key not in seen:
            seen.add(key)
            new_items.append(item)
    authors = _authors_first(new_items)
    with transaction.atomic():
        created: dict[tuple, Mention] = {}
        if new_items:
            if authors is None:
                authors = _authors(new_items)
            candidates = {}
            for item in new_items:
                author = authors[(item["source"], item["author"]["handle"])]
                candidates[(item["source"], item["external_id"])] = Mention(
                    source=item["source"],
                    external_id=item["external_id"],
                    author=author,
                    reach=item["author"].get("followers") or 0,
                    text=item["text"],
                    url=item.get("url") or "",
                    language=item.get("language") or "",
                    posted_at=item.get("posted_at") or now,
                    received_at=now,
                    department=item.get("department"),
                )
            rows = insert_ignoring_conflicts(
                Mention, list(candidates.values()), ["id", "source", "external_id"]
            )
            for pk, source, external_id in rows:
                mention = candidates[(source, external_id)]
                mention.pk = mention.id = pk
                mention._state.adding = False
                created[(source, external_id)] = mention
            lost = [key for key in candidates if key not in created]
            if lost:  # inserted by a concurrent request a moment ago: theirs is the mention
                existing.update({(m.source, m.external_id): m for m in _mentions_by_key(lost)})
            _link_threads(new_items, created, known)

        results: list[IngestResult] = []
        reported = set()
        for key in keys:
            if key in created and key not in reported:
                reported.add(key)
                results.append(IngestResult(created[key], created=True))
            else:
                results.append(IngestResult(existing.get(key) or created[key], created=False))

        created_ids = [m.pk for m in created.values()]
        if created_ids:
            from spokes.tasks import triage_on_commit

            triage_on_commit(created_ids)
            per_department = Counter(m.department_id for m in created.values())
            per_department.pop(None, None)  # in no queue until triage routes them
            for department_id, count in per_department.items():
                publish(
                    "mention.received",
                    {"department_id": department_id, "count": count},
                    groups=[department_group(department_id)],
                )
    return results


def _link_threads(new_items, created: dict, known: dict) -> None:
    """Point replies at their parent and thread root (a parent earlier in the batch counts)."""
    links = []
    parents = dict(known)
    for item in new_items:
        key = (item["source"], item["external_id"])
        mention = created.get(key)
        if mention is None:
            continue
        parent_id = item.get("parent_external_id")
        parent = parents.get((item["source"], parent_id)) if parent_id else None
        if parent is not None:
            mention.parent = parent
            mention.thread_root_id = parent.thread_root_id or parent.pk
            links.append((mention.pk, parent.pk, mention.thread_root_id))
        parents[key] = mention
    _set_parents(links)


def _set_parents(links: list[tuple[int, int, int]]) -> None:
    """One UPDATE per chunk with CASE on id: bulk_update builds the same far more slowly."""
    table = Mention._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(links), CHUNK):
            chunk = links[start : start + CHUNK]
            cases = " ".join(["WHEN %s THEN %s"] * len(chunk))
            ids = ", ".join(["%s"] * len(chunk))
            params = [v for pk, parent, _ in chunk for v in (pk, parent)]
            params += [v for pk, _, root in chunk for v in (pk, root)]
            params += [pk for pk, _, _ in chunk]
            cursor.execute(
                f"UPDATE {table} SET parent_id = CASE id {cases} END, "  # noqa: S608 (no input)
                f"thread_root_id = CASE id {cases} END WHERE id IN ({ids})",
                params,
            )


@dataclass(eq=False)
class _Waiting:
    item: dict
    ready: threading.Event = dataclasses.field(default_factory=threading.Event)
    leads: bool = False
    result: IngestResult | None = None
    alone: bool = False


class _GroupCommit:
    """Group commit for single mentions: whoever arrives while a transaction is being written
    waits for it, then all of them are written together by one of them (the leader).

    A listening tool pushing one mention per request at a few hundred a second would
    otherwise pay a transaction, its reads and its inserts, a triage flag and a live event for
    each. Here the first request leads: it takes everything waiting (itself included), writes
    it with one ``mentions_ingest`` and hands the lead to the first that arrived meanwhile. An
    idle server writes each mention at once, alone; a busy one writes as many together as
    arrived during the last write. Each request still answers with its own mention once its
    transaction has committed. If a shared transaction fails, each of its requests writes its
    mention alone, so one request's failure is never another's.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._leading = False

    def ingest(self, item: dict) -> IngestResult:
        if connection.in_atomic_block:  # the caller's transaction decides: no one else's rows
            return mentions_ingest(items=[item])[0]
        me = _Waiting(item)
        with self._lock:
            self._queue.append(me)
            if not self._leading:
                self._leading = me.leads = True
        if not me.leads:
            me.ready.wait()
        if me.leads:
            self._write_batch()
        if me.alone:
            return mentions_ingest(items=[item])[0]
        return me.result

    def _write_batch(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[:GROUP_MAX], self._queue[GROUP_MAX:]
        try:
            # One key order in every transaction: concurrent writers of overlapping keys then
            # queue behind each other on the unique index instead of deadlocking.
            ordered = sorted(batch, key=lambda w: (w.item["source"], w.item["external_id"]))
            results = mentions_ingest(items=[w.item for w in ordered])
            for waiting, result in zip(ordered, results, strict=True):
                waiting.result = result
        except Exception:
            log.warning("a shared ingest transaction of %s failed; each retries alone", len(batch))
            for waiting in batch:
                waiting.alone = True
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                if following is not None:
                    following.leads = True
                else:
                    self._leading = False
            for waiting in batch:
                waiting.ready.set()
            if following is not None:
                following.ready.set()


_group = _GroupCommit()


def mention_ingest_one(item: dict) -> IngestResult:
    """``mentions_ingest`` of one validated item, in a transaction shared with the single
    mentions arriving at the same moment (see ``_GroupCommit``)."""
    return _group.ingest(item)
