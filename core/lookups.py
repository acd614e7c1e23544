"""Matching a column against a long list of values, as cheaply as the database can."""

from django.db import connection
from django.db.models import F, Lookup, Q


class AnyOf(Lookup):
    """``column = ANY(%s)`` (PostgreSQL): however many values, one array parameter."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def among(field, values):
    """A filter condition: ``field`` holds one of ``values``.

    ``field__in=[...]`` sends one parameter per value; for thousands of keys Django
    and psycopg spend longer preparing and quoting them, and PostgreSQL parsing them,
    than the query takes. On PostgreSQL the values go as one array instead.
    """
    if connection.vendor == "postgresql":
        return AnyOf(F(field), list(values))
    return Q(**{f"{field}__in": values})
