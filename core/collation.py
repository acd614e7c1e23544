"""Dictionary order for names: compared without case or accents, so "Adidas" comes
before "AUSTRAC" and "Öko-Institut" sits among the O's, on either database."""

import unicodedata

from django.db.models import Func, TextField
from django.db.models.functions import Lower

SQLITE_FUNCTION = "portal_fold"


def fold(text):
    """Lower-case and strip accents: "Côte" and "cote" compare equal."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


class Folded(Func):
    """``expression`` folded like ``fold()``, for ORDER BY.

    PostgreSQL uses its ``unaccent`` extension (made by practices migration 0002);
    SQLite calls ``fold()`` itself, registered on each connection by
    ``register_sqlite_function``.
    """

    function = SQLITE_FUNCTION
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        unaccented = Func(*self.get_source_expressions(), function="unaccent")
        return Lower(unaccented, output_field=TextField()).as_sql(compiler, connection)


def register_sqlite_function(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FUNCTION, 1, fold, deterministic=True
        )
