"""Pieces every public FilterSet shares: forgiving input, slug filters, facet counts.

The query string is public API. Whatever arrives (unknown slugs, malformed numbers,
NUL bytes, thousands of repeats) is cleaned here, so a list and its CSV export get
exactly the same rows and no request can reach the database with input it rejects.
"""

import hashlib
import json
import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import QueryDict

from compendium.lookups import among
from compendium.search import MAX_QUERY_LENGTH, clean_query, matching_pks

MAX_VALUES_PER_PARAMETER = 50
MAX_VALUE_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_params(data):
    """A copy of ``data`` without control characters, repeats or oversized values."""
    cleaned = QueryDict(mutable=True)
    for key in list(data.keys())[:100]:
        if _CONTROL.search(key) or len(key) > 50:
            continue
        seen = []
        for value in data.getlist(key):
            value = _CONTROL.sub("", value).strip()[:MAX_VALUE_LENGTH]
            if value and value not in seen:
                seen.append(value)
            if len(seen) >= MAX_VALUES_PER_PARAMETER:
                break
        if seen:
            cleaned.setlist(key, seen)
    return cleaned


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Like LenientModelMultipleChoiceField, for fixed choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ignored = []

    def clean(self, value):
        values = [str(v) for v in (value or [])]
        known = {str(key) for key, _ in self.choices}
        self.ignored = [v for v in values if v not in known]
        return [v for v in values if v in known]


class LenientModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Keeps the values it knows and remembers the ones it does not, instead of failing.

    An unknown sector in a shared link should not empty the whole list: the known
    values still filter, and the page says which values were ignored.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ignored = []

    def clean(self, value):
        self.ignored = []
        if not value:
            return self.queryset.none()
        if not isinstance(value, list | tuple):
            value = [value]
        key = self.to_field_name or "pk"
        values = [str(v) for v in value]
        known = self.queryset.filter(**{f"{key}__in": values})
        found = {str(getattr(obj, key)) for obj in known}
        self.ignored = [v for v in values if v not in found]
        return known


class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    """Filter by one or more slugs: values combine with OR.

    Matches through a subquery on the relation rather than a join, so rows never
    repeat and the list needs no DISTINCT, however many values are chosen.
    """

    field_class = LenientModelMultipleChoiceField

    def __init__(self, *args, relation=None, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        self.relation = relation
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        model = qs.model
        matching = model._default_manager.filter(**{f"{self.relation}__in": value})
        return qs.filter(pk__in=matching.values("pk"))


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Filter by fixed choices through a relation: values combine with OR."""

    field_class = LenientMultipleChoiceField

    def __init__(self, *args, relation=None, **kwargs):
        self.relation = relation
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        matching = qs.model._default_manager.filter(**{f"{self.relation}__in": value})
        return qs.filter(pk__in=matching.values("pk"))


class SearchFilter(django_filters.CharFilter):
    """The list's search box: ``queryset.search(query)`` of the filtered model.

    The rows matching a query are looked up once per request (see
    ``compendium.search.matching_pks``); the count, the page, every facet and the
    CSV then find them by primary key.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Search")
        kwargs.setdefault("max_length", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        query = clean_query(value)
        if not query:
            return qs
        return qs.search(query, matches=self.matches(query))

    def matches(self, value):
        """The keys of the list's rows matching ``value``, read once per request;
        None without a search, or where reusing keys gains nothing."""
        query = clean_query(value)
        if not query:
            return None
        # Each FilterSet (one per request) has its own copy of its filters.
        found = self.__dict__.setdefault("_matches", {})
        if query not in found:
            found[query] = matching_pks(self.parent.queryset.search(query))
        return found[query]


class PublicFilterSet(django_filters.FilterSet):
    """Base for public lists: cleans the query string and reports ignored values."""

    #: ``Facet`` objects, in the order the sidebar shows them.
    facets = ()

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = clean_params(data)
        super().__init__(data, *args, **kwargs)

    @property
    def search_query(self):
        if not self.is_bound:
            return ""
        return clean_query(self.data.get("q", ""))[:MAX_QUERY_LENGTH]

    @property
    def messages(self):
        """Field name -> sentences saying what in the query string was not used."""
        self.errors  # noqa: B018 - validates the form once
        result = {}
        for name, field in self.form.fields.items():
            found = []
            if name in self.form.errors:
                found.extend(self.form.errors[name])
            for value in getattr(field, "ignored", []):
                found.append(
                    f"“{value}” is not a known {field.label.lower()}; it was ignored."
                )
            if found:
                result[name] = found
        return result

    def queryset_without(self, name):
        """The rows every active filter but ``name`` gives (for facet counts).

        Reuses this form's cleaned values, so a facet costs its one counting query
        and no second validation of the query string.
        """
        return self._without(name)[0]

    def rows_listed_without(self, name, key):
        """A condition on a relation's rows: its ``key`` is a row of
        ``queryset_without(name)``.

        Two cases cost less than looking every relation row up in that queryset:
        - no other filter: the list is every published row, nearly all of them, and
          leaving out the rows of the few unpublished ones is cheaper (at 100,000
          practices, a third of the time per facet). A public list's queryset is its
          model's published rows.
        - a search alone: its matching keys are already read (SearchFilter.matches).
        """
        queryset, narrowed_by = self._without(name)
        if not narrowed_by:
            hidden = self.queryset.model._default_manager.unpublished()
            return ~Exists(hidden.filter(pk=OuterRef(key)))
        if len(narrowed_by) == 1:
            (only,) = narrowed_by
            search = self.filters[only]
            if isinstance(search, SearchFilter):
                matches = search.matches(self.form.cleaned_data[only])
                if matches is not None:
                    return among(key, matches)
        return Q(**{f"{key}__in": queryset.values("pk")})

    def _without(self, name):
        """The rows every filter but ``name`` gives, and the filters that narrowed."""
        self.errors  # noqa: B018 - validates the form once
        queryset = self.queryset.all()
        narrowed_by = []
        for field_name, value in self.form.cleaned_data.items():
            if field_name != name:
                filtered = self.filters[field_name].filter(queryset, value)
                # A filter without a value hands back the very queryset it was given.
                if filtered is not queryset:
                    narrowed_by.append(field_name)
                queryset = filtered
        return queryset, narrowed_by


def all_options(model, value="slug", label="name"):
    """Facet options: every row of a small vocabulary, in its own order."""
    return lambda keys, selected: list(model.objects.values_list("pk", value, label))


@dataclass(frozen=True)
class Relation:
    """Where a facet's values live, for counting without reading the filtered table.

    ``rows()`` returns the relation's rows (a through table, say), ``key`` the column
    that holds the filtered row's id and ``value`` what is counted: a foreign key
    (its id, so no join) or a column. Counting there reads two narrow tables (the ids
    come from an index) instead of joining the wide, filtered table: at 100,000
    practices, milliseconds instead of most of a second per facet. ``repeats``: one
    row may hold a value twice (partner types), so rows are counted once each.
    """

    rows: object
    key: str
    value: str
    repeats: bool = False


@dataclass(frozen=True)
class Facet:
    """One sidebar facet: a filter parameter and how to count rows per option.

    Counts are grouped by what the rows store (a foreign key's id, a column), never by
    a joined slug: joining the options' table for every counted row costs more than
    the count. ``options`` turns the stored keys back into what the page shows.
    """

    param: str
    label: str
    #: callable(keys, selected) -> [(key, value, label), ...] in display order, where
    #: ``keys`` have a count and ``selected`` are the values in the query string
    #: (large vocabularies load only those); ``value`` is the query-string value.
    options: object
    #: what a filtered row stores for this facet, a foreign key ("kind") or a column;
    #: or else ``relation``, where the values live in a table of their own
    key: str | None = None
    relation: Relation | None = None
    limit: int | None = None

    def __post_init__(self):
        if (self.key is None) == (self.relation is None):
            raise ValueError(f"Facet {self.param!r}: give a key or a relation.")

    def counts(self, filterset):
        """{key: count} for this facet, with every *other* active filter applied."""
        if self.relation is not None:
            relation = self.relation
            rows = (
                relation.rows()
                .filter(filterset.rows_listed_without(self.param, relation.key))
                .values_list(relation.value)
                .annotate(n=Count(relation.key, distinct=relation.repeats))
                .order_by()
            )
        else:
            # Grouped straight from the filtered rows: filters match through
            # subqueries, so no row is repeated before the join to the facet's values.
            # COUNT(*) where it is exact lets PostgreSQL count from an index alone.
            if _one_row_per_value(filterset.queryset.model, self.key):
                count = Count("*")
            else:
                count = Count("pk", distinct=True)
            rows = (
                filterset.queryset_without(self.param)
                .values_list(self.key)
                .annotate(n=count)
                .order_by()
            )
        return {key: n for key, n in rows if key is not None}


def _one_row_per_value(model, lookup):
    """Whether following ``lookup`` joins each row at most once per value.

    True for a column or a foreign key, and for one many-to-many hop to a unique field
    (Django's and taggit's through tables hold each pair once). Then a plain COUNT is
    exact and PostgreSQL counts in a hash table; COUNT(DISTINCT) makes it sort every
    joined row, which at 100,000 practices costs most of a facet's time.
    """
    name, _, rest = lookup.partition("__")
    field = model._meta.get_field(name)
    if not field.is_relation:
        return not rest
    if field.many_to_one or field.one_to_one:
        return "__" not in rest
    if field.many_to_many and rest and "__" not in rest:
        return field.related_model._meta.get_field(rest).unique
    return False


FACET_VERSION_KEY = "facets:version"
#: Content whose changes can move a facet count or label.
FACET_APPS = {"practices", "partnerships", "taggit"}


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def forget_facet_counts(sender, **kwargs):
    """Any edit of content drops every cached facet count (a new version key)."""
    if kwargs.get("raw") or sender._meta.app_label not in FACET_APPS:
        return
    try:
        cache.incr(FACET_VERSION_KEY)
    except ValueError:
        cache.set(FACET_VERSION_KEY, 1, None)


def facet_cache_key(filterset):
    """The cleaned filter values that decide the counts; page and sort do not."""
    data = filterset.data if filterset.is_bound else QueryDict()
    values = [
        (name, sorted(data.getlist(name)))
        for name in sorted(filterset.filters)
        if name not in {"page", "sort"} and data.getlist(name)
    ]
    digest = hashlib.sha256(json.dumps(values).encode()).hexdigest()
    version = cache.get_or_set(FACET_VERSION_KEY, 1, None)
    return f"facets:{filterset._meta.model._meta.label_lower}:{version}:{digest}"


def facet_groups(filterset):
    """What the facet sidebar shows, cached for FACET_CACHE_SECONDS per query.

    Counting every facet scans the whole filtered set once per facet, the bulk of a
    list page's time at 100,000 practices; the same counts serve every visitor with
    the same filters until the content changes (see forget_facet_counts).
    """
    timeout = getattr(settings, "FACET_CACHE_SECONDS", 0)
    if not timeout:
        return count_facets(filterset)
    key = facet_cache_key(filterset)
    groups = cache.get(key)
    if groups is None:
        groups = count_facets(filterset)
        cache.set(key, groups, timeout)
    return groups


def count_facets(filterset):
    """Each facet's options with counts and state, straight from the database."""
    selected_data = filterset.data if filterset.is_bound else QueryDict()
    groups = []
    for facet in filterset.facets:
        counts = facet.counts(filterset)
        selected = set(selected_data.getlist(facet.param))
        options = [
            {
                "value": str(value),
                "label": label,
                "count": counts.get(key, 0),
                "selected": str(value) in selected,
            }
            for key, value, label in facet.options(set(counts), selected)
        ]
        options = [o for o in options if o["count"] or o["selected"]]
        if facet.limit:
            options.sort(key=lambda o: (not o["selected"], -o["count"], o["label"]))
            options = options[: facet.limit]
        groups.append({"param": facet.param, "label": facet.label, "options": options})
    return groups


def active_chips(filterset, groups):
    """Removable chips for every active filter value, labelled from the facet groups."""
    if not filterset.is_bound:
        return []
    chips = []
    labels = {
        group["param"]: {o["value"]: o["label"] for o in group["options"]}
        for group in groups
    }
    for name, field in filterset.form.fields.items():
        if name in {"page", "sort"}:
            continue
        for value in filterset.data.getlist(name):
            if value in getattr(field, "ignored", []):
                continue
            if name in filterset.form.errors:
                continue
            text = labels.get(name, {}).get(value, value)
            chips.append(
                {"label": field.label, "text": text, "param": name, "value": value}
            )
    return chips
