"""Keeping a practice's stored search current: its search vectors on PostgreSQL (the
English one, its rank part, and one a language of the texts translated), its row of
the full-text index on SQLite (``core.fts``).

The vector holds what ``PracticeQuerySet.search_fields`` name, weighted as a search
without a stored vector would weigh them, the rank vector its A and B part (what
the rank reads), and the SQLite index the same texts; practices.signals calls
``refresh_search_vectors`` whenever one of those texts or names changes.
"""

import contextlib
import contextvars

from django.contrib.postgres.aggregates import StringAgg
from django.db import connection, transaction
from django.db.models import F, ForeignObjectRel, OuterRef, Subquery, Value

from core import fts
from core.listing.cache import bump_content_version, one_bump
from core.lookups import among
from core.search import SearchFields, title_field, uses_postgres, weighted_vector
from core.translation import TEXT_SEARCH_CONFIGS
from practices.models import Practice, PracticeQuerySet

#: Practices read at a time when the SQLite index is rebuilt.
INDEX_CHUNK = 2000

#: The practices whose refresh ``refreshed_once`` holds back (a set, or None for
#: all of them), or a sentinel outside one.
_OUTSIDE = object()
_held = contextvars.ContextVar("practices_held_refreshes", default=_OUTSIDE)


@contextlib.contextmanager
def refreshed_once():
    """Refresh the search of every practice changed inside once, when the block
    ends without an error, and bump the content version once (``one_bump``).

    For a command saving thousands of rows: each save would otherwise rewrite its
    practice's vector or index row, and a practice is saved with its partners,
    tags and countries one by one. Use it inside the writer's transaction.
    """
    if _held.get() is not _OUTSIDE:
        yield
        return
    with one_bump():
        token = _held.set(set())
        try:
            yield
        finally:
            held = _held.get()
            _held.reset(token)
        if held is None or held:
            refresh_search_vectors(None if held is None else sorted(held))


def refresh_search_vectors(pks=None):
    """Rebuild the stored vector of the given practices (all when ``pks`` is None).

    One set-based UPDATE, so loading fixtures or a 100,000-row benchmark costs one
    statement, and saving one practice costs one small one. On SQLite, the
    practices' rows of the full-text index instead (``refresh_sqlite_index``).
    """
    held = _held.get()
    if held is not _OUTSIDE:
        if held is not None and pks is not None:
            held.update(pk for pk in pks if pk is not None)
        elif held is not None:
            _held.set(None)
        return
    if not uses_postgres():
        refresh_sqlite_index(pks)
        return
    practices = Practice.objects.all()
    if pks is not None:
        pks = [pk for pk in pks if pk is not None]
        if not pks:
            return
        practices = practices.filter(among("pk", pks))
    fields = PracticeQuerySet.search_fields
    vectors = {
        fields.stored_vector: weighted_vector(fields, read=_in_update),
        # The SET clause reads the row as it was: the rank's part of the new
        # vector is its a and b fields' vector, built again.
        fields.rank_vector: weighted_vector(
            SearchFields(a=fields.a, b=fields.b), read=_in_update
        ),
    }
    for language, config in TEXT_SEARCH_CONFIGS.items():
        own = fields.in_language(Practice, language)
        if own.all_fields:
            vectors[fields.language_column(language)] = weighted_vector(
                own, read=_in_update, config=config
            )
    practices.update(**vectors)
    _searched_changed(pks)


def _searched_changed(pks):
    """An UPDATE sends no signal: what search finds has changed, in these rows (in
    every row when ``pks`` is None), for the facet index's catch-up."""
    label = Practice._meta.label
    bump_content_version(
        changes=None if pks is None else [[label, label, pk] for pk in sorted(pks)]
    )


def refresh_sqlite_index(pks=None):
    """Rewrite the full-text index rows of the given practices (all when ``pks`` is
    None) from their searched texts: a practice no longer there loses its row."""
    if connection.vendor != "sqlite":
        return
    fields = PracticeQuerySet.search_fields
    table, title = fields.sqlite_index, title_field(fields)
    practices = Practice.objects.order_by()
    # One transaction: FTS5 writes its pending rows out at every commit, and a
    # commit per row makes a rebuild a hundred times slower.
    with transaction.atomic(), connection.cursor() as cursor:
        if pks is None:
            cursor.execute(f'DELETE FROM "{table}"')
        else:
            pks = [pk for pk in pks if pk is not None]
            if not pks:
                return
            practices = practices.filter(among("pk", pks))
            for start in range(0, len(pks), INDEX_CHUNK):
                chunk = pks[start : start + INDEX_CHUNK]
                cursor.execute(
                    f'DELETE FROM "{table}" WHERE rowid IN '
                    f"({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
        names = fields.all_fields
        rows = practices.values_list(
            "pk", *(_in_update(name, _joined_lines) for name in names)
        ).iterator(chunk_size=INDEX_CHUNK)
        insert = f'INSERT INTO "{table}" (rowid, {fts.TITLE}, {fts.BODY}) VALUES '
        batch = []
        for pk, *texts in rows:
            batch.append(
                (pk, *fts.index_row(dict(zip(names, texts, strict=True)), title))
            )
            if len(batch) == INDEX_CHUNK // 4:
                cursor.executemany(insert + "(%s, %s, %s)", batch)
                batch = []
        if batch:
            cursor.executemany(insert + "(%s, %s, %s)", batch)
        if pks is None:
            # Merges the index's segments into one, as a rebuild leaves many.
            cursor.execute(f'INSERT INTO "{table}" ("{table}") VALUES (\'optimize\')')
    _searched_changed(pks)


def _joined_lines(column):
    # One line per name, so that a phrase never runs from one name into the next.
    return fts.GroupConcat(column, Value(fts.VALUE_SEPARATOR))


def _joined_words(column):
    return StringAgg(column, delimiter=" ")


def _in_update(name, joined=_joined_words):
    """What the UPDATE reads for the search field ``name`` of the practice it sets.

    An UPDATE cannot join, so a name read through a relation (``tags__name``)
    becomes a subquery: that practice's names, joined by spaces. The subquery starts
    from the rows that hold the names and walks the relation back to the practice,
    so it reads them through their own indexes.
    """
    *relations, column = name.split("__")
    if not relations:
        return F(name)
    model, back = Practice, []
    for relation in relations:
        field = model._meta.get_field(relation)
        back.insert(
            0,
            field.field.name
            if isinstance(field, ForeignObjectRel)
            else field.related_query_name(),
        )
        model = field.related_model
    to_practice = "__".join(back)
    return Subquery(
        model._default_manager.filter(**{to_practice: OuterRef("pk")})
        .order_by()
        .values(to_practice)
        .annotate(names=joined(column))
        .values("names")
    )
