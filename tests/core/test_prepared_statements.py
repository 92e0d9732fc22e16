"""On PostgreSQL a statement a connection runs again and again is prepared: parsed once, its
plan kept (``DB_PREPARED_STATEMENTS``, config/settings.py)."""

import pytest
from django.db import connection

from spokes.models import Mention


def test_a_repeated_query_is_prepared_on_its_connection(db):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    marker = "prepared-probe"
    query = Mention.objects.filter(external_id=marker)
    for _ in range(6):  # psycopg prepares from the sixth run (prepare_threshold=5)
        assert not query.exists()
    with connection.cursor() as cursor:
        cursor.execute(  # the connection may hold other tests' statements: this one exactly
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s AND NOT from_sql",
            [
                'SELECT $1 AS "a" FROM "spokes_mention" '
                'WHERE "spokes_mention"."external_id" = $2 LIMIT 1'
            ],
        )
        (prepared,) = cursor.fetchone()
    assert prepared == 1
