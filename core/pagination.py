"""Keyset (seek) pagination over a uniform-direction ordering.

The cursor holds the sort-key values of the last row shown; the next page is the rows whose
key tuple sorts after it, expressed as one row-value comparison so the database walks the
matching index from that point instead of counting past an offset.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from core.errors import DomainError


@dataclass(frozen=True)
class Ordering:
    fields: tuple[str, ...]
    descending: bool

    def order_by(self) -> list[str]:
        return [f"-{f}" if self.descending else f for f in self.fields]


def _encode_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(row, ordering: Ordering) -> str:
    values = [_encode_value(getattr(row, f)) for f in ordering.fields]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, ordering: Ordering, model) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(ordering.fields):
            raise ValueError
        return [
            model._meta.get_field(name).to_python(value)
            for name, value in zip(ordering.fields, values, strict=True)
        ]
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DomainError("The page cursor is not valid.", field="cursor") from exc


def keyset_page(queryset: QuerySet, ordering: Ordering, *, cursor: str | None, size: int):
    """Return ``(rows, next_cursor)``; ``next_cursor`` is None on the last page."""
    model = queryset.model
    queryset = queryset.order_by(*ordering.order_by())
    if cursor:
        values = [
            model._meta.get_field(name).get_db_prep_value(value, connections[queryset.db])
            for name, value in zip(
                ordering.fields, _decode_cursor(cursor, ordering, model), strict=True
            )
        ]
        table = model._meta.db_table
        columns = ", ".join(
            f'"{table}"."{model._meta.get_field(f).column}"' for f in ordering.fields
        )
        placeholders = ", ".join(["%s"] * len(values))
        operator = "<" if ordering.descending else ">"
        queryset = queryset.filter(
            RawSQL(f"({columns}) {operator} ({placeholders})", values, output_field=BooleanField())  # noqa: S611
        )
    rows = list(queryset[: size + 1])
    next_cursor = encode_cursor(rows[size - 1], ordering) if len(rows) > size else None
    return rows[:size], next_cursor


def keyset_page_for(request, queryset: QuerySet, ordering: Ordering, *, size: int):
    """``keyset_page`` at the page's ``?cursor=``; a cursor that is not one (edited, truncated,
    from another list) shows the first page with a message saying so, as a web page should."""
    from django.contrib import messages

    try:
        return keyset_page(queryset, ordering, cursor=request.GET.get("cursor"), size=size)
    except DomainError as exc:
        messages.error(request, exc.message)
        return keyset_page(queryset, ordering, cursor=None, size=size)
