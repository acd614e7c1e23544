"""Matching a column against a long list of values, as cheaply as the database can."""

import json

from django.db import connection
from django.db.models import F, Lookup, Q


class AnyOf(Lookup):
    """``column = ANY(%s)`` (PostgreSQL): however many values, one array parameter."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


class InJson(Lookup):
    """``column IN (SELECT value FROM json_each(%s))`` (SQLite): the values as one
    JSON parameter, however many (SQLite allows a few thousand parameters)."""

    lookup_name = "in_json"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"{lhs} IN (SELECT value FROM json_each(%s))",
            (*lhs_params, json.dumps(list(self.rhs))),
        )


#: Up to this many values, SQLite gets them as ``IN (%s, ...)``.
MOST_SQLITE_PARAMETERS = 500


def among(field, values):
    """A filter condition: ``field`` holds one of ``values``.

    ``field__in=[...]`` sends one parameter per value; for thousands of keys Django
    and psycopg spend longer preparing and quoting them, and PostgreSQL parsing
    them, than the query takes. On PostgreSQL the values go as one array instead;
    on SQLite, beyond MOST_SQLITE_PARAMETERS, as one JSON array.
    """
    if connection.vendor == "postgresql":
        return AnyOf(F(field), list(values))
    values = list(values)
    if len(values) > MOST_SQLITE_PARAMETERS:
        return InJson(F(field), values)
    return Q(**{f"{field}__in": values})
