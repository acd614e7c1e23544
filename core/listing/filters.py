"""The filters of public lists and the FilterSet they are declared in.

The query string is public API. Whatever arrives (unknown slugs, malformed numbers,
NUL bytes, thousands of repeats) is cleaned here, so every renderer of a list gets
exactly the same rows and no request reaches the database with input it rejects.

A filter declared with ``facet=`` is also a facet of the sidebar: its parameter,
label, choices and relation are read from the filter (see ``core.listing.facets``).
"""

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import FilterSetMetaclass

from core.listing.params import clean_params
from core.lookups import among
from core.models import public_rows
from core.search import MAX_QUERY_LENGTH, clean_query, matching_pks

#: What the engine calls on a list's model: its public rows, their exact complement
#: (facet counts leave those out) and its search.
QUERYSET_CONTRACT = ("published", "unpublished", "search")
#: Parameters that shape the page but never which rows are listed.
PRESENTATION_PARAMS = {"page", "page_size", "sort", "more"}


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


class FacetedFilterMixin:
    """``facet=True`` (the kind read from the field) or a Facet makes this filter a
    facet too; ``phrase`` words the filter in a list's description ("with {}");
    ``param``: its parameter, when that is no Python name for its attribute."""

    #: How several values of this filter combine, in words.
    conjunction = "or"

    def __init__(self, *args, facet=None, phrase=None, param=None, **kwargs):
        self.facet = facet
        self.phrase = phrase
        if param is not None:
            self.param = param
        super().__init__(*args, **kwargs)


class RelationFilterMixin(FacetedFilterMixin):
    """Values of ``field_name`` combine with OR.

    Matches through a subquery on the relation rather than a join, so rows never
    repeat and the list needs no DISTINCT, however many values are chosen.

    ``published_via``: a prefix of ``field_name`` reaching other content (an
    organisation's ``roles__practice``) that counts only while it is published, so
    a draft practice never makes its organisation match, nor counts in its facet.
    """

    def __init__(self, *args, published_via=None, **kwargs):
        self.published_via = published_via
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q(**{f"{self.field_name}__in": value})
        if self.published_via:
            public = public_rows(qs.model, self.published_via)
            condition &= Q(**{f"{self.published_via}__in": public})
        matching = qs.model._default_manager.filter(condition)
        return qs.filter(pk__in=matching.values("pk"))


class SlugFilter(RelationFilterMixin, django_filters.ModelMultipleChoiceFilter):
    """Filter by one or more slugs (or another unique ``to_field_name``) of
    ``queryset``, the rows that may be chosen."""

    field_class = LenientModelMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)


#: The value of an ``OrNoneSlugFilter`` that chooses the rows with no value.
NONE_VALUE = "none"


class LenientSlugOrNoneField(LenientModelMultipleChoiceField):
    """Known slugs as model rows, plus ``NONE_VALUE`` itself when it was asked for."""

    def clean(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        values = [str(v) for v in values]
        known = list(super().clean([v for v in values if v != NONE_VALUE]))
        return [*known, NONE_VALUE] if NONE_VALUE in values else known


class OrNoneSlugFilter(SlugFilter):
    """A SlugFilter over a nullable foreign key whose value ``none`` also chooses
    the rows that have no value: the lessons or strategies that apply across
    sectors. Its facet (``OrNoneColumnFacet``) offers that value as ``none_label``.
    """

    field_class = LenientSlugOrNoneField

    def __init__(self, *args, none_label, **kwargs):
        self.none_label = none_label
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        chosen = [v for v in value if v != NONE_VALUE]
        condition = Q(**{f"{self.field_name}__in": chosen})
        if NONE_VALUE in value:
            condition |= Q(**{f"{self.field_name}__isnull": True})
        return qs.filter(condition)


class ChoicesFilter(RelationFilterMixin, django_filters.MultipleChoiceFilter):
    """Filter by fixed choices, on a column or through a relation."""

    field_class = LenientMultipleChoiceField


class AllOfFilter(ChoicesFilter):
    """Values of ``field_name`` combine with AND: rows reaching every chosen value
    ("partners include a bank and an NGO"), unlike the other facets' OR.

    Each value is matched by a subquery of its own, so rows never repeat. Declared
    with ``facet=True`` it is an AllOfFacet, whose counts say how many of the listed
    rows adding a value would leave. ``param`` names the parameter when it is not a
    Python name (``with``); ``words`` maps a value to how the list's description
    says it ("an NGO"), the label lower-cased with an article otherwise.
    """

    conjunction = "and"

    def __init__(self, *args, words=None, **kwargs):
        self.words = dict(words or {})
        kwargs.setdefault("phrase", "with {}")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        for one in value or ():
            qs = super().filter(qs, [one])
        return qs

    def in_words(self, value, label):
        return self.words.get(value) or with_article(label)


def with_article(label):
    """ "Financial intelligence unit" -> "a financial intelligence unit", "NGO" ->
    "an NGO": an initialism keeps its capitals and is read letter by letter."""
    label = str(label)
    first_word = label.split(" ", 1)[0]
    if first_word.isupper() and len(first_word) > 1:
        article = "an" if first_word[0] in "AEFHILMNORSX" else "a"
        return f"{article} {label}"
    text = label[:1].lower() + label[1:]
    return f"{'an' if text[:1] in 'aeiou' else 'a'} {text}"


class YearFilter(FacetedFilterMixin, django_filters.NumberFilter):
    field_class = forms.IntegerField


class SearchFilter(django_filters.CharFilter):
    """The list's search box: ``queryset.search(query)`` of the filtered model.

    The rows matching a query are looked up once per request (see
    ``core.search.matching_pks``); the count, the page, every facet and the
    exports then find them by primary key.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        query = clean_query(value)
        if not query:
            return qs
        return qs.search(query, matches=self.matches(query))

    def matches(self, value):
        """The keys of the list's rows matching ``value``, read once per request
        (``ListFilterSet.matching_keys``): in the list's order, or in none where
        the list reads its order a page at a time (``listed_keys``); None without
        a search."""
        query = clean_query(value)
        if not query:
            return None
        # Each FilterSet (one per request) has its own copy of its filters.
        found = self.__dict__.setdefault("_matches", {})
        if query not in found:
            found[query] = self.parent.matching_keys(query)
        return found[query]


class KeysByPage:
    """Keys in a list's order, ``count`` of them, read a page at a time:
    ``read(stop)`` gives the first ``stop``, and a slice reads up to its end."""

    def __init__(self, count, read):
        self.count = count
        self.read = read
        self.first = []

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        stop = index.indices(self.count)[1]
        if stop > len(self.first):
            self.first = self.read(stop)
        return self.first[index]


class ListFilterSetMetaclass(FilterSetMetaclass):
    """Checks a list's declaration when its class is made, and builds its facets.

    A model whose QuerySet lacks what the engine calls, or a facet that does not fit
    its filter's field, fails here, at start-up, instead of giving wrong counts.
    """

    def __new__(mcs, name, bases, attrs):
        # A filter whose parameter is not a Python name (``with``) is declared
        # under another attribute name and says its parameter.
        attrs = {
            (
                getattr(value, "param", None) or key
                if isinstance(value, django_filters.Filter)
                else key
            ): value
            for key, value in attrs.items()
        }
        new_class = super().__new__(mcs, name, bases, attrs)
        model = new_class._meta.model
        if model is None:
            return new_class
        manager = model._default_manager
        missing = [
            method
            for method in QUERYSET_CONTRACT
            if not callable(getattr(manager, method, None))
        ]
        if missing:
            raise ImproperlyConfigured(
                f"{name}: {model.__name__}'s QuerySet has no {', '.join(missing)}(); "
                "a public list needs published(), unpublished() and search()."
            )
        from core.listing.facets import facet_for

        new_class.facets = tuple(
            facet_for(new_class, param, declared)
            for param, declared in new_class.base_filters.items()
            if getattr(declared, "facet", None)
        )
        new_class.facet_by_param = {facet.param: facet for facet in new_class.facets}
        return new_class


class ListFilterSet(django_filters.FilterSet, metaclass=ListFilterSetMetaclass):
    """Base for public lists: cleans the query string and reports ignored values.

    Its queryset is always its model's ``published()`` rows (the view gives it no
    other): facet counts rely on that to leave out only ``unpublished()`` ones.
    Set ``list_order``, or override ``order()`` for a list with a choice of orders.
    """

    #: The bound Facet objects, in the order the filters are declared.
    facets = ()
    #: The same facets by their query-string parameter.
    facet_by_param = {}
    #: The list's order, as ``order_by()`` arguments ending in a unique key so that
    #: pages never overlap; a search puts the best matches first.
    list_order = ("pk",)

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = clean_params(data)
        super().__init__(data, *args, **kwargs)

    #: How many rows the filters keep, when the facet index told (see
    #: ``filter_queryset``); None when only counting the queryset tells.
    listed_count = None
    #: The keys of the rows listed, in the list's order, when the index gave the
    #: rows of a search (whose keys are read in that order); else None. A page then
    #: reads its own rows only (``rows_among``).
    listed_order = None
    #: The search the rows listed were found by (``filter_queryset``), if any.
    _searched = ""

    def count(self):
        """How many rows the filters keep: ``listed_count`` where the facet index
        gave the rows, else one counting query."""
        rows = self.qs
        return self.listed_count if self.listed_count is not None else rows.count()

    def matching_keys(self, query):
        """The keys of the listed rows that ``query`` matches, in the list's order
        (``SearchFilter.matches``). A list whose model keeps its search elsewhere
        may read them from there, in no order, and give its order in
        ``listed_keys``."""
        return matching_pks(self.order(self.queryset.search(query)))

    def listed_keys(self, query, matches, rows):
        """The keys of the listed ``rows`` (a set, every one matching ``query``),
        in the list's order, from ``matches`` (``matching_keys``): a sequence a
        page slices (``core.listing.views.KeyedRows``)."""
        return [key for key in matches if key in rows]

    def filter_queryset(self, queryset):
        """The rows the filters keep, in the list's order.

        When the facet index serves every active filter, the rows are selected by
        the ids it gives (``core.listing.index.listed_rows``), and their number is
        known (``listed_count``); else each filter narrows in SQL. With no filter
        the index still tells their number: every published row.
        """
        from core.listing.index import listed_rows, listed_total

        rows = listed_rows(self)
        if rows is None:
            self.listed_count = listed_total(self)
            return self.order(super().filter_queryset(queryset))
        self.listed_count = len(rows)
        ids = list(rows)
        for name, value in self.form.cleaned_data.items():
            declared = self.filters[name]
            if isinstance(declared, SearchFilter) and clean_query(value):
                # The index serves a search only where it is found by its keys
                # (SearchFilter.matches), read in the list's order.
                self._searched = clean_query(value)
                self.listed_order = self.listed_keys(
                    self._searched, declared.matches(value), rows
                )
        return self.rows_among(ids)

    def rows_among(self, keys):
        """The listed rows with these ``keys`` (rows the index gave), as the list
        shows them: with the search's rank and headline, in the list's order."""
        queryset = self.queryset.all()
        if self._searched:
            queryset = queryset.search(self._searched, matches=keys)
        else:
            queryset = queryset.filter(among("pk", keys))
        return self.order(queryset)

    def order(self, queryset):
        if self.search_query:
            return queryset.order_by("-rank", *self.list_order)
        return queryset.order_by(*self.list_order)

    @property
    def params(self):
        """The cleaned query string."""
        return self.data if self.is_bound else clean_params({})

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
                    gettext("“%(value)s” is not a known %(what)s; it was ignored.")
                    % {"value": value, "what": str(field.label).lower()}
                )
            if found:
                result[name] = found
        return result

    def queryset_without(self, *names):
        """The rows every active filter but ``names`` gives (for facet counts).

        Reuses this form's cleaned values, so a facet costs its one counting query
        and no second validation of the query string.
        """
        return self._without(*names)[0]

    def rows_listed_without(self, name, key):
        """A condition on a relation's rows: its ``key`` is a row of
        ``queryset_without(name)`` (with ``name`` None: of the rows listed).

        Two cases cost less than looking every relation row up in that queryset:
        - no other filter: the list is every published row, nearly all of them, and
          leaving out the rows of the few unpublished ones is cheaper;
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

    def _without(self, *names):
        """The rows every filter but ``names`` gives, and the filters that narrowed."""
        self.errors  # noqa: B018 - validates the form once
        queryset = self.queryset.all()
        narrowed_by = []
        for field_name, value in self.form.cleaned_data.items():
            if field_name not in names:
                filtered = self.filters[field_name].filter(queryset, value)
                # A filter without a value hands back the very queryset it was given.
                if filtered is not queryset:
                    narrowed_by.append(field_name)
                queryset = filtered
        return queryset, narrowed_by
