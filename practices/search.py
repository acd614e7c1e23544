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
import math

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchRank
from django.db import connection, transaction
from django.db.models import F, ForeignObjectRel, OuterRef, Subquery, Value

from core import fts
from core.listing.cache import bump_content_version, one_bump
from core.lookups import among
from core.search import (
    SearchFields,
    clean_query,
    index_scans,
    title_field,
    ts_query,
    understand,
    uses_postgres,
    weighted_vector,
)
from core.translation import TEXT_SEARCH_CONFIGS
from practices.models import Practice, PracticeQuerySet, PracticeSearch, title_order

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


def search_rows_answer(raw_query):
    """Whether the practices' search rows can answer ``raw_query`` as the practices'
    own search would: on PostgreSQL, on a page in English (on a page in another
    language a search matches that language's vector too, which they lack)."""
    fields = PracticeQuerySet.search_fields
    return bool(
        clean_query(raw_query)
        and uses_postgres()
        and not fields.in_language(Practice).all_fields
    )


def ranked_keys(raw_query, order=None, among=None, limit=None, share=1.0):
    """The keys of the practices that ``raw_query`` matches, read from their search
    rows alone: in ``order`` (a function of a ``PracticeSearch`` QuerySet whose
    rows carry ``rank``), else in none; only those in ``among`` (a set of keys)
    when given, as the rows hold drafts too; at most ``limit`` of them. None where
    the rows cannot answer (``search_rows_answer``).

    What ``matching_pks`` of the practices' own search gives, in the same order (the
    same vectors, the same rank), without visiting a wide practice row: a third of
    100,000 practices matched in 12 ms, the best 20 of them in 30 ms, all of them
    in order in 55 ms, against 126 ms on the practices (bench/README.md). With a
    ``limit``, the best keys are read first, as many as ``share`` (the part of the
    matches expected in ``among``) says should hold ``limit`` of ``among``, and
    every match only when they did not.
    """
    if not search_rows_answer(raw_query):
        return None
    query = clean_query(raw_query)
    ts = ts_query(query, understand(query))
    rows = PracticeSearch.objects.filter(search_vector=ts)
    if order is not None:
        rows = order(rows.annotate(rank=SearchRank(F("rank_vector"), ts)))
    keys = rows.values_list("pk", flat=True)

    def kept(found):
        return found if among is None else [key for key in found if key in among]

    with index_scans():
        if limit is not None:
            read = math.ceil(limit / max(share, 0.01) * 1.25) + 20
            best = list(keys[:read])
            found = kept(best)
            if len(found) >= limit or len(best) < read:
                return found[:limit]
        found = kept(list(keys) if order is not None else _unordered(keys))
    return found if limit is None else found[:limit]


def _unordered(keys):
    """The keys of ``keys`` (a flat ``values_list``), in no order, read as one
    array: 35,000 in 14 ms, against 18 ms a row at a time through the QuerySet."""
    select, params = keys.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT array_agg(pk) FROM ({select}) AS found", params)
        return cursor.fetchone()[0] or []


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
    with transaction.atomic():
        practices.update(**vectors)
        _copy_search_rows(practices, pks)
    _searched_changed(pks)


def _copy_search_rows(practices, pks):
    """Write the search rows of ``practices`` (those of ``pks``, or all of them)
    from their stored vectors and titles (``PracticeSearch``): one INSERT ...
    SELECT, a row replaced where it exists; the row of a key whose practice is gone
    is deleted."""
    table = PracticeSearch._meta.db_table
    names = ("practice_id", "title_key", "search_vector", "rank_vector")
    fields = PracticeQuerySet.search_fields
    read = practices.order_by().values_list(
        "pk", title_order(), fields.stored_vector, fields.rank_vector
    )
    select, params = read.query.sql_with_params()
    replaced = ", ".join(f"{name} = EXCLUDED.{name}" for name in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(names)}) {select} "
            f"ON CONFLICT (practice_id) DO UPDATE SET {replaced}",
            params,
        )
        written = cursor.rowcount
    if pks is not None and written < len(set(pks)):
        # A practice being deleted: its partners' and tags' signals may have
        # written its row again before the practice itself went, after its row.
        PracticeSearch.objects.filter(among("pk", pks)).exclude(
            practice__in=Practice.objects.filter(among("pk", pks))
        ).delete()


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
