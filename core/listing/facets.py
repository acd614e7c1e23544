"""Kinds of facet: each counts the rows per option of one filter, and returns the
options ready to display (label, count, selected, the query string that toggles it).

A facet is declared once, on its filter (``facet=True`` or a Facet instance): the
parameter, label, choices and the relation it counts through are read from the filter.
``facet=True`` picks the kind from the field the filter names:

- ``ColumnFacet``: a column or a foreign key of the listed model ("kind", "type");
- ``RelationFacet``: a to-many relation ("sectors", "partners__organisation__type"),
  counted on the relation's own table;
- ``AllOfFacet``: the facet of an AllOfFilter (values combine with AND), counted
  over the rows listed now;
- ``TagFacet``: django-taggit tags;
- ``TreeFacet`` (only when asked for): a relation to a tree, such as regions, whose
  options are shown under their parents;
- ``YearRangeFacet`` (only when asked for): a year column counted by decade, each
  decade choosing a range for the filter and its upper-bound partner.

Counts are grouped by what the rows store (a foreign key's id, a column), never by a
joined slug: joining the options' table for every counted row costs more than the
count. ``options()`` turns the stored keys back into what the page shows.

Facets are counted by ``counted()``: from the in-process index of the published rows
(``core.listing.index``) for the kinds here, in SQL by ``counts()`` otherwise; both
give the same counts. Override ``counts()`` to count differently (the index then
leaves that facet to it) and ``options()`` to list the options of
a vocabulary the filter does not hold.
"""

import copy

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Count, F, Q
from taggit.managers import TaggableManager
from taggit.models import TaggedItem

from core.listing.filters import NONE_VALUE
from core.listing.params import query_string, toggled
from core.models import public_rows
from core.translation import in_own_language

#: Options a long facet shows before "Show all"; a facet only a few options longer
#: shows them all.
SHOWN = 10
SHOWN_SLACK = 2


class Facet:
    """One facet of a list. Unbound as declared; ``bind()`` ties it to its filter."""

    #: "declared": the vocabulary's own order (sectors in their editorial order);
    #: "count": the most frequent first.
    order = "declared"

    def __init__(
        self,
        *,
        label_field="name",
        order=None,
        shown=SHOWN,
        only_counted=False,
        label=None,
    ):
        #: A heading other than the filter's label (a range facet stands for two).
        self.heading = label
        #: The field of the filter's rows that names an option.
        self.label_field = label_field
        if order is not None:
            self.order = order
        #: How many options show before "Show all" (None: always all).
        self.shown = shown
        #: Load only the options that have a count or are selected (a vocabulary too
        #: large to read whole, such as tags).
        self.only_counted = only_counted

    def bind(self, filterset_class, param, declared):
        facet = copy.copy(self)
        facet.param = param
        facet.filter = declared
        facet.label = (
            self.heading or declared._label or param.replace("_", " ").capitalize()
        )
        facet.model = filterset_class._meta.model
        facet.path = declared.field_name
        try:
            facet.resolve()
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(
                f"{filterset_class.__name__}.{param}: {type(self).__name__} cannot "
                f"count {facet.model.__name__}.{facet.path}: {error}"
            ) from error
        return facet

    def resolve(self):
        """Check the filter's field and work out what to count; called once, when
        the FilterSet class is made."""

    def counts(self, filterset):
        """{stored key: number of rows} with every *other* active filter applied,
        counted in SQL: the reference the index (``core.listing.index``) matches."""
        raise NotImplementedError

    def counted(self, filterset):
        """``counts()``, from the in-process index of the published rows where it
        serves this facet (every kind here that counts the usual way), else in SQL."""
        from core.listing import index

        found = index.counts(self, filterset)
        return self.counts(filterset) if found is None else found

    def options(self, keys, selected):
        """[(stored key, query-string value, label), ...] in the vocabulary's order,
        for the ``keys`` that have a count and the ``selected`` values."""
        extra = self.filter.extra
        if "queryset" in extra:
            value_field = extra.get("to_field_name") or "pk"
            rows = extra["queryset"].all()
            if self.only_counted:
                rows = rows.filter(
                    Q(pk__in=keys) | Q(**{f"{value_field}__in": selected})
                )
            label = in_own_language(rows.model, self.label_field)
            return list(rows.values_list("pk", value_field, label))
        return [(value, value, label) for value, label in extra["choices"]]

    def toggle_url(self, params, option):
        """The query string that switches ``option`` on or off."""
        return toggled(params, self.param, option["value"])

    def group(self, filterset):
        """The facet as the sidebar and the API show it, before any URL is built."""
        counts = self.counted(filterset)
        selected = set(filterset.params.getlist(self.param))
        options = []
        for key, value, label, *parent in self.options(set(counts), selected):
            option = {
                "key": key,
                "value": str(value),
                "label": label,
                "count": counts.get(key, 0),
                "selected": str(value) in selected,
            }
            if parent:
                option["parent"] = parent[0]
            if option["count"] or option["selected"]:
                options.append(option)
        if self.order == "count":
            options.sort(key=lambda o: (-o["count"], o["label"]))
        return {
            "param": self.param,
            "label": self.label,
            "options": options,
            "shown": self.shown,
        }


def _one_row_per_value(model, lookup):
    """Whether following ``lookup`` joins each row at most once per value.

    True for a column or a foreign key, and for one many-to-many hop to a unique field
    (Django's and taggit's through tables hold each pair once). Then a plain COUNT is
    exact and PostgreSQL counts in a hash table; COUNT(DISTINCT) makes it sort every
    joined row.
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


class ColumnFacet(Facet):
    """The listed rows store the value: a column (with choices) or a foreign key.

    Grouped straight from the filtered rows: filters match through subqueries, so no
    row is repeated before the grouping.
    """

    def resolve(self):
        field = self.model._meta.get_field(self.path)
        if field.many_to_many or field.one_to_many:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{self.path} is a to-many relation: "
                "count it with a RelationFacet."
            )
        self.exact = _one_row_per_value(self.model, self.path)

    def counted_rows(self, filterset):
        """(stored value, number of rows) pairs, the empty value (None) included."""
        # COUNT(*) where it is exact lets PostgreSQL count from an index alone.
        count = Count("*") if self.exact else Count("pk", distinct=True)
        return (
            filterset.queryset_without(self.param)
            .values_list(self.path)
            .annotate(n=count)
            .order_by()
        )

    def counts(self, filterset):
        return {key: n for key, n in self.counted_rows(filterset) if key is not None}


class OrNoneColumnFacet(ColumnFacet):
    """A nullable foreign key whose empty value is an option of its own (the
    ``OrNoneSlugFilter``'s ``none``), listed after the others: "Across sectors"."""

    def counts(self, filterset):
        return {
            NONE_VALUE if key is None else key: n
            for key, n in self.counted_rows(filterset)
        }

    def options(self, keys, selected):
        return [
            *super().options(keys, selected),
            (NONE_VALUE, NONE_VALUE, self.filter.none_label),
        ]


class RelationFacet(Facet):
    """The values live in a table of their own: counted there, never by joining
    the wide, filtered table.

    For a many-to-many field that table is its through table, each (row, value) pair
    stored once; for a reverse foreign key ("partners") it is the related model's
    table, where one row may reach a value twice (two NGO partners), so rows are
    counted once each.

    ``few_pairs``: the distinct (value, row) pairs are few beside the relation rows
    that lead to them (the sectors of an organisation's practices), so the pairs are
    made distinct first, in a small hash, and then counted, instead of sorting every
    relation row for a COUNT(DISTINCT).
    """

    def __init__(self, *, few_pairs=False, **kwargs):
        super().__init__(**kwargs)
        self.few_pairs = few_pairs

    def resolve(self):
        name, _, rest = self.path.partition("__")
        field = self.model._meta.get_field(name)
        self.tagged = isinstance(field, TaggableManager)
        if self.tagged:
            self.table = TaggedItem
            self.key, target = "object_id", "tag"
            self.repeats = bool(rest)
        elif field.many_to_many and not field.auto_created:
            self.table = field.remote_field.through
            self.key = f"{field.m2m_field_name()}_id"
            target = field.m2m_reverse_field_name()
            self.repeats = bool(rest)
        elif field.one_to_many or (field.many_to_many and field.auto_created):
            remote = field.remote_field
            if field.many_to_many:
                self.table = remote.through
                self.key = f"{remote.m2m_reverse_field_name()}_id"
                target = remote.m2m_field_name()
                self.repeats = bool(rest)
            else:
                self.table = field.related_model
                self.key = remote.attname
                target = None
                self.repeats = True
        else:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{name} is not a to-many relation: "
                "count it with a ColumnFacet."
            )
        if target is None and not rest:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{self.path}: name the related field to count."
            )
        self.value = "__".join(part for part in (target, rest) if part)
        # Fails now if the rest of the path does not exist.
        self.table._meta.get_field(self.value.split("__")[0])
        self.published_via = None
        via = getattr(self.filter, "published_via", None)
        if via:
            first, _, beyond = via.partition("__")
            if first != name or not beyond or target is not None:
                raise ImproperlyConfigured(
                    f"{self.model.__name__}.{self.path}: published_via must go through "
                    "the reverse relation the facet counts on."
                )
            self.published_via = beyond

    def rows(self):
        rows = self.table._default_manager.all()
        if self.tagged:
            # By id (ContentType caches it), not by a join on every count; read here
            # because the facet is made before the database may be reached.
            tagged = ContentType.objects.get_for_model(self.model)
            rows = rows.filter(content_type=tagged)
        if self.published_via:
            rows = rows.filter(
                **{
                    f"{self.published_via}__in": public_rows(
                        self.table, self.published_via
                    )
                }
            )
        return rows

    def counts(self, filterset):
        rows = self.rows().filter(filterset.rows_listed_without(self.param, self.key))
        if self.repeats and self.few_pairs:
            return count_distinct_pairs(rows, self.value, self.key)
        rows = (
            rows.values_list(self.value)
            .annotate(n=Count(self.key, distinct=self.repeats))
            .order_by()
        )
        return {key: n for key, n in rows if key is not None}


def count_distinct_pairs(rows, value, key):
    """{value: number of distinct ``key``} over ``rows``, from their distinct pairs."""
    counted = {}
    for found, _ in rows.values_list(value, key).distinct().order_by():
        if found is not None:
            counted[found] = counted.get(found, 0) + 1
    return counted


class AllOfFacet(RelationFacet):
    """The facet of an AllOfFilter, whose values combine with AND.

    Its counts are taken over the rows listed now, this facet's own values
    included: each says how many results adding that value would leave, and a
    chosen value counts every result.
    """

    def counts(self, filterset):
        rows = self.rows().filter(filterset.rows_listed_without(None, self.key))
        rows = (
            rows.values_list(self.value)
            .annotate(n=Count(self.key, distinct=self.repeats))
            .order_by()
        )
        return {key: n for key, n in rows if key is not None}

    def group(self, filterset):
        return {**super().group(filterset), "all_of": True}


class TagFacet(RelationFacet):
    """django-taggit tags: a large vocabulary, the most used first."""

    order = "count"

    def __init__(self, **kwargs):
        kwargs.setdefault("only_counted", True)
        super().__init__(**kwargs)


class TreeFacet(RelationFacet):
    """A relation to a tree (regions): each option is shown under its parent.

    ``parent_field`` names the option's parent; an option whose parent has no count
    is shown at the top level.
    """

    def __init__(self, *, parent_field="parent", **kwargs):
        kwargs.setdefault("shown", None)
        super().__init__(**kwargs)
        self.parent_field = parent_field

    def options(self, keys, selected):
        extra = self.filter.extra
        value_field = extra.get("to_field_name") or "pk"
        return list(
            extra["queryset"].values_list(
                "pk", value_field, self.label_field, f"{self.parent_field}_id"
            )
        )

    def group(self, filterset):
        """Options in tree order, each with its ``depth`` (0 at the top)."""
        group = super().group(filterset)
        options = group["options"]
        by_key = {option["key"]: option for option in options}
        children = {option["key"]: [] for option in options}
        roots = []
        for option in options:
            parent = option.pop("parent", None)
            if parent in by_key and parent != option["key"]:
                children[parent].append(option)
            else:
                roots.append(option)
        flat, seen = [], set()

        def walk(nodes, depth):
            for node in nodes:
                if node["key"] in seen:
                    continue
                seen.add(node["key"])
                node["depth"] = depth
                flat.append(node)
                walk(children[node["key"]], depth + 1)

        walk(roots, 0)
        group["options"] = flat
        group["tree"] = True
        return group


class YearRangeFacet(Facet):
    """A year column counted by decade: "2010s (25)". Declared on the lower-bound
    filter (``year_from``, lookup ``gte``) and naming its upper-bound partner; a
    decade sets both, so the list shows that decade, and chosen again clears both.
    """

    order = "declared"

    def __init__(self, *, upper, span=10, **kwargs):
        kwargs.setdefault("shown", None)
        super().__init__(**kwargs)
        self.upper = upper
        self.span = span

    def resolve(self):
        field = self.model._meta.get_field(self.path)
        if field.is_relation:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.{self.path}: a YearRangeFacet counts a column."
            )

    def counts(self, filterset):
        rows = (
            filterset.queryset_without(self.param, self.upper)
            .filter(**{f"{self.path}__isnull": False})
            .annotate(decade=F(self.path) / self.span * self.span)
            .values_list("decade")
            .annotate(n=Count("*"))
            .order_by()
        )
        return dict(rows)

    def options(self, keys, selected):
        return [
            (decade, str(decade), f"{decade}s" if self.span == 10 else str(decade))
            for decade in sorted(keys)
        ]

    def group(self, filterset):
        group = super().group(filterset)
        params = filterset.params
        for option in group["options"]:
            start = int(option["value"])
            option["selected"] = params.get(self.param) == str(start) and params.get(
                self.upper
            ) == str(start + self.span - 1)
        group["upper"] = self.upper
        group["range"] = True
        return group

    def toggle_url(self, params, option):
        if option["selected"]:
            return query_string(params, {self.param: None, self.upper: None})
        start = int(option["value"])
        return query_string(
            params, {self.param: [str(start)], self.upper: [str(start + self.span - 1)]}
        )


def facet_for(filterset_class, param, declared):
    """The bound facet a filter declares: the kind it names, or with ``facet=True``
    the kind its field calls for."""
    facet = declared.facet
    if facet is True:
        model = filterset_class._meta.model
        name = declared.field_name.partition("__")[0]
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImproperlyConfigured(
                f"{filterset_class.__name__}.{param}: {error}"
            ) from error
        if getattr(declared, "conjunction", "or") == "and":
            facet = AllOfFacet()
        elif isinstance(field, TaggableManager):
            facet = TagFacet()
        elif field.many_to_many or field.one_to_many:
            facet = RelationFacet()
        else:
            facet = ColumnFacet()
    if not isinstance(facet, Facet):
        raise ImproperlyConfigured(
            f"{filterset_class.__name__}.{param}: facet= takes True or a Facet."
        )
    return facet.bind(filterset_class, param, declared)


def displayed(facets, groups, params, *, truncate=True):
    """Decorate counted groups for one request: the query string that toggles each
    option, and whether a long facet is cut to its top options (``more=<param>``
    shows one whole; ``truncate=False`` shows every one)."""
    expanded = set(params.getlist("more"))
    result = []
    for facet, group in zip(facets, groups, strict=True):
        group = {**group, "options": [dict(o) for o in group["options"]]}
        for option in group["options"]:
            option["toggle_url"] = facet.toggle_url(params, option)
        shown = group.get("shown")
        options = group["options"]
        group["total"] = len(options)
        group["expanded"] = group["param"] in expanded
        group["truncated"] = bool(
            truncate
            and shown
            and not group["expanded"]
            and len(options) > shown + SHOWN_SLACK
        )
        if group["truncated"]:
            top = sorted(
                options, key=lambda o: (not o["selected"], -o["count"], o["label"])
            )[:shown]
            keep = {id(option) for option in top}
            group["options"] = [o for o in options if id(o) in keep]
            group["show_all_url"] = toggled(params, "more", group["param"])
        elif group["expanded"]:
            group["show_fewer_url"] = toggled(params, "more", group["param"])
        if group.get("tree"):
            group["roots"] = _rebuild_tree(group["options"])
        result.append(group)
    return result


def _rebuild_tree(options):
    """Nest flat options (with depth, in tree order) for a template to render."""
    roots, stack = [], []
    for option in options:
        option["children"] = []
        while stack and stack[-1]["depth"] >= option["depth"]:
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(option)
        stack.append(option)
    return roots
