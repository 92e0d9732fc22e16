"""Fast bulk writes of many rows: inserts and per-row updates as one statement each.

Django's ``bulk_update`` builds one ``CASE WHEN id=...`` expression per field and row, and its
``bulk_create`` a ``VALUES`` list with a placeholder per cell, prepared cell by cell: both cost
more Python than the database spends on the rows. On PostgreSQL the rows here travel as one
JSON document read by ``json_populate_recordset`` with the table's own row type (the standard
library's JSON encoder is C; the driver quotes an array parameter element by element in
Python, a sixth of the web processes' CPU for a batch of 1,000 mentions); SQLite gets plain
statements.
"""

import datetime as dt
import json
from functools import lru_cache

from django.db import connections, router

CHUNK = 500  # rows per SQLite INSERT: well inside its parameter limit

# Field types whose Python values psycopg takes as they are: skipping Django's
# per-value preparation (a field method and a connection lookup for every cell) matters when a
# batch has 1,000 rows of 25 columns.
PLAIN_TYPES = {
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateTimeField",
    "FloatField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _values(field, objs: list) -> list:
    """The field's Python values for ``objs`` (``auto_now`` fields filled in): model
    instances, or dicts of values by attname (``insert_ignoring_conflicts``)."""
    if objs and type(objs[0]) is dict:
        return [obj[field.attname] for obj in objs]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return [field.pre_save(obj, True) for obj in objs]
    return [getattr(obj, field.attname) for obj in objs]


def _columns(fields, objs: list, conn) -> list[list]:
    """Each field's database values for ``objs``, column by column. psycopg takes the plain
    types as they are; SQLite's adapters need Django's preparation (datetimes as UTC text)."""
    plain = PLAIN_TYPES if conn.vendor == "postgresql" else set()
    columns = []
    for field in fields:
        values = _values(field, objs)
        if field.get_internal_type() not in plain:
            values = [field.get_db_prep_save(value, conn) for value in values]
        columns.append(values)
    return columns


# Field types whose values go into the JSON rows as they are (datetimes as ISO 8601 text, which
# keeps the microseconds); a model with any other type takes the per-column arrays.
JSON_TYPES = PLAIN_TYPES | {"JSONField"}


_isoformat = dt.datetime.isoformat


def _json_default(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_rows(fields, objs: list, extra: dict | None = None) -> str | None:
    """The rows as a JSON array of objects keyed by column, or None if a field's type is not
    one that JSON carries as it is."""
    if any(f.get_internal_type() not in JSON_TYPES for f in fields):
        return None
    columns = [f.column for f in fields]
    values = [_values(field, objs) for field in fields]
    for n, field in enumerate(fields):
        if field.get_internal_type() == "DateTimeField":  # as text here: cheaper than default=
            values[n] = [_isoformat(v) if type(v) is dt.datetime else v for v in values[n]]
    for column, column_values in (extra or {}).items():
        columns.append(column)
        values.append(column_values)
    rows = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
    return json.dumps(rows, default=_json_default)


@lru_cache(maxsize=64)
def _insert_parts(model, returning: tuple, alias: str) -> tuple:
    """(the fields written, their quoted columns, the quoted returned columns, the quoted
    table): the same for every insert into ``model``, so made once (a single mention's insert
    spent a tenth of its Python quoting them)."""
    opts = model._meta
    quote = connections[alias].ops.quote_name
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    columns = ", ".join(quote(f.column) for f in fields)
    returned = ", ".join(quote(opts.get_field(name).column) for name in returning)
    return fields, columns, returned, quote(opts.db_table)


def insert_ignoring_conflicts(model, objs: list, returning: list[str]) -> list[tuple]:
    """Multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` of the rows actually written.

    Built directly: Django's bulk_create returns no rows when ignoring conflicts, and its
    generic compiler costs several times more per row. On PostgreSQL the rows travel as one
    array per column (``INSERT ... SELECT * FROM unnest(...)``): a short statement whose
    parameters the driver adapts in C, instead of a ``VALUES`` list with a placeholder per cell
    that it must parse and bind one by one. Rows are inserted in the order given. SQLite
    (>= 3.35) gets the ``VALUES`` form in chunks.

    ``objs`` are model instances, or dicts with every column's value but the primary key's, by
    attname (``mention_id``): a model instance costs about 10 us to build, more than its row
    costs the database (triage writes 500 activity rows a batch).
    """
    if not objs:
        return []
    conn = connections[router.db_for_write(model)]  # resolved once, not per cell
    fields, columns, returned, table = _insert_parts(model, tuple(returning), conn.alias)
    rows = []
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            document = _json_rows(fields, objs)
            if document is not None:
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
                    f"FROM json_populate_recordset(NULL::{table}, %s::json) "
                    f"ON CONFLICT DO NOTHING RETURNING {returned}",
                    [document],
                )
                return cursor.fetchall()
            arrays = ", ".join(f"%s::{f.db_type(conn)}[]" for f in fields)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
                f"ON CONFLICT DO NOTHING RETURNING {returned}",
                _columns(fields, objs, conn),
            )
            return cursor.fetchall()
        row_sql = f"({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(objs), CHUNK):
            chunk = objs[start : start + CHUNK]
            params = [
                value for row in zip(*_columns(fields, chunk, conn), strict=True) for value in row
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 (no input)
                f"VALUES {', '.join([row_sql] * len(chunk))} "
                f"ON CONFLICT DO NOTHING RETURNING {returned}",
                params,
            )
            rows.extend(cursor.fetchall())
    return rows


def bulk_update_rows(objs, fields: list[str]) -> int:
    """Write ``fields`` of each object in ``objs`` (same model) by primary key.

    PostgreSQL: ``UPDATE ... FROM unnest(<one array per column>)``, one statement for all rows.
    SQLite: one parameterised ``UPDATE ... WHERE id = %s`` per row with ``executemany``."""
    objs = list(objs)
    if not objs:
        return 0
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    model_fields = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        document = _json_rows(model_fields, objs, {pk.column: [obj.pk for obj in objs]})
        if document is not None:
            assignments = ", ".join(
                f"{quote(f.column)} = v.{quote(f.column)}" for f in model_fields
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {assignments} "  # noqa: S608 - identifiers only
                    f"FROM json_populate_recordset(NULL::{table}, %s::json) AS v "
                    f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}",
                    [document],
                )
            return len(objs)
        names = [f"c{n}" for n in range(len(model_fields))]
        assignments = ", ".join(
            f"{quote(f.column)} = v.{name}" for f, name in zip(model_fields, names, strict=True)
        )
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk, *model_fields])
        sql = (
            f"UPDATE {table} SET {assignments} "  # noqa: S608 - identifiers only
            f"FROM unnest({arrays}) AS v(pk, {', '.join(names)}) "
            f"WHERE {table}.{quote(pk.column)} = v.pk"
        )
        params = [[obj.pk for obj in objs], *_columns(model_fields, objs, connection)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return len(objs)
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in model_fields)
    sql = (
        f"UPDATE {table} SET {assignments} "  # noqa: S608 - identifiers only
        f"WHERE {quote(pk.column)} = %s"
    )
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields]
        + [pk.get_db_prep_value(obj.pk, connection)]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
