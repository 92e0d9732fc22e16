"""``field__in_array=[...]``: the ``__in`` lookup with the values sent as one array parameter.

Django's ``__in`` writes a placeholder per value and prepares each value through the field;
psycopg then parses the statement again on every call once it is longer than the 4 kB it
caches (``_split_query``, a regular expression over the whole text) and adapts each parameter
apart. For the hundreds of ids a triage batch reads and writes, that cost several times the
query itself: the batch's rows by id, 500 ids, 16.5-24.4 -> 13.3-15.8 ms of CPU; the authors'
other open mentions, 255 authors and 500 ids, 6.3-10.2 -> 1.3-1.5 ms (one process). On
PostgreSQL it is ``column = ANY(%s::type[])``, one parameter, the same statement text for every
batch; elsewhere (SQLite) it is ``__in``. The values must be plain values of the field's type,
not expressions, querysets or model instances (``author_id__in_array``, not
``author__in_array``).
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


class InArray(Lookup):
    lookup_name = "in_array"
    prepare_rhs = False

    def get_prep_lookup(self):
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs]
        if connection.vendor == "postgresql":
            # The type without its length: a cast to varchar(n) would cut a longer value to
            # one that may match, where ``__in`` matches nothing.
            element = field.cast_db_type(connection).split("(")[0]
            return f"{lhs} = ANY(%s::{element}[])", [*lhs_params, values]
        if not values:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


Field.register_lookup(InArray)
ForeignObject.register_lookup(InArray)  # relations take only their own lookups from Field's
