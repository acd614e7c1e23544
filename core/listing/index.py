"""Facet counts from an in-process index of the published rows: for each facet
option, the bitmap of the published rows carrying it (pyroaring).

Counting in SQL rebuilds the filtered rows once per facet (bench/README.md); here a
request finds the rows each active filter keeps once, as a bitmap, and counts every
facet option by one intersection. The counts are those of the facet classes'
``counts()`` (which stay the reference, and the fallback): a facet is counted over the
rows every *other* active filter keeps, an AllOfFacet over the rows listed now, a
YearRangeFacet without its range's two bounds.

What is indexed, per database and list model, and built on first use:

- the model's ``published()`` rows;
- per facet (its kind, relation and path), ``{stored key: bitmap}``, the key the
  facet's ``counts()`` groups by.

Every index carries the content version (``core.listing.cache.content_version()``)
it was read at; a request that reads another version builds a new one, so a publish
in any process is counted from the next request on in every process. Versions never
come back (``bump_content_version``), so an index read inside a transaction that is
rolled back is never taken for a later version's.

Served: the facet kinds of ``core.listing.facets`` that count the usual way, on a
FilterSet over its model's ``published()`` rows. A filter that is a served facet's
(a RelationFilterMixin filter) is read from the index too; any other (the search, a
year bound) is read once as primary keys. Anything else is counted in SQL, as before.
"""

import threading

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import F
from pyroaring import BitMap

from core.listing.cache import content_version

#: (database alias, model label) -> ModelIndex of the version it was read at.
_indexes = {}
#: (database alias, model label) -> the SQL of its ``published()`` rows.
_published_sql = {}
_lock = threading.RLock()


def enabled():
    return getattr(settings, "FACET_INDEX", True)


def clear():
    """Forget every index (tests; a process that wants its memory back)."""
    with _lock:
        _indexes.clear()


class ModelIndex:
    """The published rows of one model and, facet by facet, each option's rows."""

    def __init__(self, model, using, version):
        self.model = model
        self.using = using
        self.version = version
        published = model._default_manager.using(using).published()
        self.published = _ids(published)
        self.published_sql = _sql(published)
        #: signature -> {stored key: bitmap}
        self.options = {}
        #: signature -> the Source its options were read from
        self.sources = {}

    def facet_options(self, facet):
        """{stored key: bitmap of the published rows carrying it} for ``facet``."""
        signature = _signature(facet)
        found = self.options.get(signature)
        if found is None:
            with _lock:
                found = self.options.get(signature)
                if found is None:
                    source = self.sources.get(signature) or self._source(facet)
                    found = self._bitmaps(source.grouped())
                    self.sources[signature] = source
                    self.options[signature] = found
        return found

    def _source(self, facet):
        """Where ``facet``'s option rows are read: as its ``counts()`` groups them."""
        from core.listing.facets import ColumnFacet, YearRangeFacet

        manager = self.model._default_manager.using(self.using)
        if isinstance(facet, YearRangeFacet):
            # As the SQL counts: integer division.
            rows = (
                manager.published()
                .filter(**{f"{facet.path}__isnull": False})
                .annotate(_decade=F(facet.path) / facet.span * facet.span)
            )
            return Source(rows, "_decade", "pk", self.model)
        if isinstance(facet, ColumnFacet):
            return Source(manager.published(), facet.path, "pk", self.model)
        return Source(
            facet.rows().using(self.using), facet.value, facet.key, facet.table
        )

    def _bitmaps(self, grouped):
        published = self.published
        result = {}
        for key, ids in grouped.items():
            bitmap = BitMap(ids) & published
            if bitmap:
                bitmap.run_optimize()
                result[key] = bitmap
        return result

    def caught_up(self, version):
        """This index brought to ``version`` by re-reading only the rows the change
        log names since its own version; None when that cannot be done exactly (the
        log has a gap or says "anything", or a change reaches what the index read
        through another table), and the index must be read afresh.

        A new index: requests still counting from this one never see it change. Its
        bitmaps are this one's where no changed row is in them.
        """
        changes = _changes_since(self.using, self.version, version)
        if changes is None:
            return None
        label = self.model._meta.label
        changed = set()
        tables = set()
        unknown = set()
        for model_label, target, key, *deleted in changes:
            if deleted:
                # Rows of model_label that pointed at a deleted row, unknown: read
                # again what reads them, unless the row deleted is one of ours
                # (read again itself, with what pointed at it).
                if target != label:
                    table = _table(model_label, self.using)
                    if table is None:
                        return None
                    unknown.add(table)
                continue
            if target == label:
                if key is None:
                    return None
                changed.add(key)
            if model_label != label:
                table = _table(model_label, self.using)
                if table is None:
                    return None
                tables.add((model_label, table))
        if len(changed) > MOST_CHANGED_ROWS:
            return None
        # Which rows are published may hang on another table (a parent's status).
        if self.published_sql is None or any(
            table in self.published_sql
            for table in unknown | {table for _, table in tables}
        ):
            return None
        new = object.__new__(ModelIndex)
        new.model, new.using, new.version = self.model, self.using, version
        new.published_sql = self.published_sql
        new.options, new.sources = {}, dict(self.sources)
        manager = self.model._default_manager.using(self.using)
        if not all(isinstance(key, int) and key >= 0 for key in changed):
            return None
        changed = BitMap(changed)
        keys = list(changed)
        now = _ids(manager.published().filter(pk__in=keys)) if keys else BitMap()
        new.published = (self.published - changed) | now
        for signature, options in self.options.items():
            source = self.sources[signature]
            if (
                source.sql is None
                or any(table in source.sql for table in unknown)
                or any(
                    table in source.sql and model_label != source.table
                    for model_label, table in tables
                )
            ):
                continue  # read again, whole, on its next use
            new.options[signature] = _patched(options, source, changed, keys, new)
        return new


class Source:
    """The rows a facet's options are read from: ``value`` grouped by ``key`` (the
    indexed model's primary key) over ``rows``, the rows of ``table``."""

    def __init__(self, rows, value, key, table):
        self.rows = rows.order_by()
        self.value = value
        self.key = key
        self.table = table._meta.label
        # With the value read: a value beyond the table joins another one.
        self.sql = _sql(self.rows.values_list(value, key))

    def grouped(self, keys=None):
        rows = self.rows
        if keys is not None:
            rows = rows.filter(**{f"{self.key}__in": keys})
        return _grouped(rows, self.value, self.key, rows.db)


#: More changed rows than this since an index's version: read it afresh.
MOST_CHANGED_ROWS = 5000


def _patched(options, source, changed, keys, index):
    """``options`` with the rows ``changed`` read again from ``source``."""
    patched = {}
    for key, bitmap in options.items():
        if bitmap.intersect(changed):
            bitmap = bitmap - changed
        if bitmap:
            patched[key] = bitmap
    if not keys:
        return patched
    for key, ids in source.grouped(keys).items():
        ids = BitMap(ids) & index.published
        if ids:
            patched[key] = patched[key] | ids if key in patched else ids
    return patched


def _sql(queryset):
    """The SQL of ``queryset``, to see which tables it reads."""
    try:
        sql, _ = queryset.query.get_compiler(queryset.db).as_sql()
    except Exception:
        return None
    return sql


def _table(label, using):
    """The quoted table of the model ``label``, as it appears in SQL; None for a
    model this code does not know (any more)."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return None
    return connections[using].ops.quote_name(model._meta.db_table)


def _changes_since(using, since, version):
    """Every change the log holds between the versions ``since`` and ``version``,
    as ``ContentChange.changes`` items; None unless the log covers every bump
    between them with known changes."""
    from core.models import ContentChange

    if since is None or version <= since:
        return None
    rows = {
        found: (previous, changes)
        for found, previous, changes in ContentChange.objects.using(using)
        .filter(version__gt=since, version__lte=version)
        .values_list("version", "previous", "changes")
    }
    found = []
    at = version
    while at != since:
        if at not in rows:
            return None
        previous, changes = rows[at]
        if changes is None or previous < since:
            return None
        found.extend(changes)
        at = previous
    return found


def _postgres(using):
    return connections[using].vendor == "postgresql"


def _ids(queryset):
    """The primary keys of ``queryset`` as a bitmap: on PostgreSQL as one array, far
    cheaper to read than a row per key."""
    queryset = queryset.order_by()
    if _postgres(queryset.db):
        from django.contrib.postgres.aggregates import ArrayAgg

        found = queryset.aggregate(_ids=ArrayAgg("pk"))["_ids"]
        return BitMap(found or ())
    return BitMap(queryset.values_list("pk", flat=True))


def _grouped(rows, value, key, using):
    """{``value``: [``key``, ...]} over ``rows``, None values left out. On PostgreSQL
    one row per value with its keys as an array: the database makes the groups, and
    Python reads a few hundred arrays instead of every pair."""
    if _postgres(using):
        from django.contrib.postgres.aggregates import ArrayAgg

        pairs = rows.values_list(value).annotate(_keys=ArrayAgg(key))
        return {found: keys for found, keys in pairs if found is not None}
    grouped = {}
    for found, one in rows.values_list(value, key).distinct():
        if found is not None:
            grouped.setdefault(found, []).append(one)
    return grouped


def _signature(facet):
    """What decides a facet's option rows: facets that count the same relation the
    same way (the partner-type facet and its all-of twin) share them."""
    from core.listing.facets import ColumnFacet, YearRangeFacet

    if isinstance(facet, YearRangeFacet):
        return ("decade", facet.path, facet.span)
    if isinstance(facet, ColumnFacet):
        return ("column", facet.path)
    return (
        "relation",
        facet.table._meta.label,
        facet.key,
        facet.value,
        facet.tagged,
        facet.published_via,
    )


def served(facet):
    """Whether the index counts ``facet`` exactly as its ``counts()`` would."""
    from core.listing.facets import (
        AllOfFacet,
        ColumnFacet,
        RelationFacet,
        YearRangeFacet,
    )

    return type(facet).counts in (
        ColumnFacet.counts,
        RelationFacet.counts,
        AllOfFacet.counts,
        YearRangeFacet.counts,
    )


def _excluded(facet):
    """The parameters whose filters a facet's count leaves out."""
    from core.listing.facets import AllOfFacet, YearRangeFacet

    if isinstance(facet, AllOfFacet):
        return ()
    if isinstance(facet, YearRangeFacet):
        return (facet.param, facet.upper)
    return (facet.param,)


def index_for(model, using):
    """The index of ``model`` at the current content version."""
    version = content_version()
    key = (using, model._meta.label)
    index = _indexes.get(key)
    if index is None or index.version != version:
        with _lock:
            index = _indexes.get(key)
            if index is None or index.version != version:
                index = (index and index.caught_up(version)) or ModelIndex(
                    model, using, version
                )
                _indexes[key] = index
    return index


class RequestRows:
    """The rows each active filter of one FilterSet keeps, read once."""

    def __init__(self, filterset, index):
        self.filterset = filterset
        self.index = index
        self.facets = filterset.facet_by_param
        #: name -> the rows an active filter keeps; None until read, for a filter
        #: the index does not serve (its queryset is in ``unread``).
        self.unread = {}
        self.kept = self._kept()
        self.without = {}

    def _kept(self):
        filterset = self.filterset
        filterset.errors  # noqa: B018 - validates the form once
        base = filterset.queryset.all()
        kept = {}
        for name, value in filterset.form.cleaned_data.items():
            declared = filterset.filters[name]
            filtered = declared.filter(base, value)
            # A filter without a value hands back the very queryset it was given.
            if filtered is base:
                continue
            kept[name] = self._filter_rows(name, declared, value)
            if kept[name] is None:
                self.unread[name] = filtered
        return kept

    @property
    def served(self):
        """Whether the index alone gives the rows of every active filter."""
        return not self.unread

    def _rows(self, name):
        found = self.kept[name]
        if found is None:
            found = self.kept[name] = self._read(self.unread[name])
        return found

    def _filter_rows(self, name, declared, value):
        """The rows the filter ``name`` keeps, from the index; None when the index
        does not serve it (they are read in SQL, once, when a count needs them)."""
        from core.listing.facets import AllOfFacet
        from core.listing.filters import (
            AllOfFilter,
            RelationFilterMixin,
            SearchFilter,
        )

        facet = self.facets.get(name)
        plain = "filter" not in vars(declared)
        if (
            facet is not None
            and plain
            and served(facet)
            and isinstance(declared, RelationFilterMixin)
            and type(declared).filter
            in (RelationFilterMixin.filter, AllOfFilter.filter)
            and facet.path == declared.field_name
        ):
            options = self.index.facet_options(facet)
            keys = _keys(value, options)
            if isinstance(declared, AllOfFilter):
                if not isinstance(facet, AllOfFacet):
                    return None
                rows = BitMap(self.index.published)
                for key in keys:
                    rows &= options.get(key, BitMap())
                return rows
            rows = BitMap()
            for key in keys:
                rows |= options.get(key, BitMap())
            return rows
        if isinstance(declared, SearchFilter) and plain:
            matches = declared.matches(value)
            if matches is not None:
                return BitMap(matches) & self.index.published
        return None

    def _read(self, filtered):
        return BitMap(
            filtered.prefetch_related(None).order_by().values_list("pk", flat=True)
        )

    def rows_without(self, names):
        """The published rows every active filter but ``names`` keeps."""
        names = tuple(names)
        found = self.without.get(names)
        if found is None:
            found = self.index.published
            for name in self.kept:
                if name not in names:
                    found = found & self._rows(name)
            self.without[names] = found
        return found


def _keys(value, options):
    """The stored keys a filter's cleaned value names: model rows by their primary
    key, choices by the key they spell."""
    by_text = None
    keys = []
    for one in value or ():
        if hasattr(one, "_meta"):
            keys.append(one.pk)
            continue
        if by_text is None:
            by_text = {str(key): key for key in options}
        # A value no published row carries stays as it is: it names no bitmap, so
        # it adds no row to an OR and leaves none in an AND.
        keys.append(by_text.get(str(one), one))
    return keys


def _request_rows(filterset):
    """The filterset's RequestRows, made on its first facet; None when the index
    does not serve this FilterSet."""
    state = filterset.__dict__.get("_index_rows", False)
    if state is not False:
        return state
    index = _serving(filterset.queryset)
    state = None if index is None else RequestRows(filterset, index)
    filterset.__dict__["_index_rows"] = state
    return state


def _serving(queryset):
    """The index of ``queryset``'s model, when it is on and ``queryset`` is exactly
    that model's published rows (current: it catches up first); else None."""
    model, using = queryset.model, queryset.db
    if enabled() and _is_published(queryset, model, using):
        return index_for(model, using)
    return None


def _is_published(queryset, model, using):
    """Whether ``queryset`` is exactly ``model``'s published rows, as the engine's
    views give every FilterSet (the index knows no other set)."""
    try:
        key = (using, model._meta.label)
        expected = _published_sql.get(key)
        if expected is None:
            published = model._default_manager.using(using).published()
            # The same for the life of the process: compiled once, not per request.
            expected = _published_sql[key] = str(published.order_by().query)
        return str(queryset.order_by().query) == expected
    except Exception:
        return False


def published_keys(queryset):
    """The keys of the rows of ``queryset`` as the index holds them, when the index
    serves it (``_serving``); None otherwise."""
    index = _serving(queryset)
    return None if index is None else index.published


def listed_rows(filterset):
    """The published rows ``filterset`` lists, as a bitmap, when the index gives
    them: every active filter (at least one) is served by it. None otherwise (no
    filter, FACET_INDEX off, a filter read in SQL): the list then runs its filters
    in SQL, as before.

    The page, its count and the exports then select these ids instead of running
    the filters' subqueries again.
    """
    rows = _request_rows(filterset)
    if rows is None or not rows.kept or not rows.served:
        return None
    return rows.rows_without(())


def listed_total(filterset):
    """How many rows ``filterset`` lists when no filter is active and the index
    serves its list: every published row. None otherwise."""
    rows = _request_rows(filterset)
    if rows is None or rows.kept:
        return None
    return len(rows.index.published)


def published_options(filterset_class, params, using):
    """(the published rows, {param: {stored key: bitmap}}) of ``filterset_class``'s
    list, for its facets ``params``: for a page that relates rows by the options
    they share (a practice's related practices) without grouping the link tables.
    None when the index is off or does not serve one of these facets."""
    chosen = [filterset_class.facet_by_param[param] for param in params]
    if not enabled() or not all(served(facet) for facet in chosen):
        return None
    index = index_for(filterset_class._meta.model, using)
    return index.published, {
        facet.param: index.facet_options(facet) for facet in chosen
    }


def most_shared(bitmaps, among, limit):
    """The rows of ``among`` in the most of ``bitmaps`` (at least one), at most
    ``limit`` of them: by how many they are in, then by key, as ``GROUP BY key
    ORDER BY COUNT(*) DESC, key LIMIT limit`` over the rows of these options."""
    # at_least[n]: the rows in at least n + 1 of the bitmaps.
    at_least = []
    for bitmap in bitmaps:
        bitmap = bitmap & among
        at_least = [
            (at_least[n] if n < len(at_least) else BitMap())
            | (bitmap if n == 0 else at_least[n - 1] & bitmap)
            for n in range(len(at_least) + 1)
        ]
    found = []
    for n in reversed(range(len(at_least))):
        exactly = (
            at_least[n] - at_least[n + 1] if n + 1 < len(at_least) else at_least[n]
        )
        for key in exactly:
            if len(found) == limit:
                return found
            found.append(key)
    return found


def counts(facet, filterset):
    """{stored key: rows} for ``facet``, as its ``counts()`` gives them; None when
    the index does not serve it (then count in SQL)."""
    if not served(facet):
        return None
    rows = _request_rows(filterset)
    if rows is None:
        return None
    listed = rows.rows_without(_excluded(facet))
    options = rows.index.facet_options(facet)
    if listed is rows.index.published:
        # Nothing else filters: an option's rows are all listed.
        return {key: len(bitmap) for key, bitmap in options.items()}
    counted = {}
    for key, bitmap in options.items():
        n = listed.intersection_cardinality(bitmap)
        if n:
            counted[key] = n
    return counted
