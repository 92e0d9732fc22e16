"""Cursor pagination on an index-backed keyset, newest first: stable while rows arrive."""

from collections import OrderedDict

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.errors import DomainError
from core.pagination import Ordering, keyset_page


class KeysetCursorPagination(BasePagination):
    ordering = Ordering(("received_at", "id"), descending=True)
    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise DomainError(
                "page_size must be a whole number.", field=self.page_size_query_param
            ) from None
        if not 1 <= size <= self.max_page_size:
            raise DomainError(
                f"page_size must be between 1 and {self.max_page_size}.",
                field=self.page_size_query_param,
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        rows, self.next_cursor = keyset_page(
            queryset,
            self.ordering,
            cursor=request.query_params.get(self.cursor_query_param) or None,
            size=self._page_size(request),
        )
        return rows

    def get_next_link(self):
        if not self.next_cursor:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self.get_next_link()),
                    ("next_cursor", self.next_cursor),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "next_cursor", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "URL of the next page; null on the last page.",
                },
                "next_cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Opaque cursor for the next page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from `next_cursor` of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
