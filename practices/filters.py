import functools

import django_filters
from django.conf import settings
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.collation import Folded
from core.listing.facets import (
    ColumnFacet,
    OrNoneColumnFacet,
    RelationFacet,
    TreeFacet,
    YearRangeFacet,
)
from core.listing.filters import (
    AllOfFilter,
    ChoicesFilter,
    KeysByPage,
    ListFilterSet,
    OrNoneSlugFilter,
    SearchFilter,
    SlugFilter,
    YearFilter,
)
from core.listing.index import published_keys
from practices.models import (
    MAX_YEAR,
    MIN_YEAR,
    Audience,
    Country,
    LessonLearned,
    Maturity,
    Organisation,
    OrganisationType,
    PartnershipKind,
    Practice,
    Provenance,
    Region,
    Sector,
    Stage,
    title_order,
)
from practices.search import ranked_keys, search_rows_answer


class CountryNames:
    """Countries named in the visitor's language (django-countries' translations of
    the ISO names), in that language's alphabetical order; the editors' names in
    English."""

    def options(self, keys, selected):
        rows = super().options(keys, selected)
        if translation.get_language() == settings.LANGUAGE_CODE:
            return rows
        named = [
            (key, value, countries.name(value) or label) for key, value, label in rows
        ]
        return sorted(named, key=lambda row: row[2].casefold())


class CountryFacet(CountryNames, RelationFacet):
    pass


class OrganisationCountryFacet(CountryNames, ColumnFacet):
    pass


SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("title", _("Title A–Z")),
]


class PracticeFilterSet(ListFilterSet):
    """One definition of "these practices", for the list page, its exports and API."""

    q = SearchFilter()
    sector = SlugFilter(
        queryset=Sector.objects.all(),
        field_name="sectors",
        label=_("Sector"),
        facet=True,
    )
    region = SlugFilter(
        queryset=Region.objects.all(),
        field_name="regions",
        label=_("Region"),
        facet=TreeFacet(),
    )
    country = SlugFilter(
        queryset=Country.objects.all(),
        field_name="countries",
        to_field_name="code",
        label=_("Country"),
        facet=CountryFacet(),
    )
    partner_type = ChoicesFilter(
        choices=OrganisationType.choices,
        field_name="partners__organisation__type",
        label=_("Partner type"),
        facet=True,
    )
    # Partnership composition: practices whose partners include every type given.
    with_ = AllOfFilter(
        param="with",
        choices=OrganisationType.choices,
        field_name="partners__organisation__type",
        label=_("Partner type (all of)"),
        words={kind.value: kind.in_words for kind in OrganisationType},
        facet=True,
    )
    audience = SlugFilter(
        queryset=Audience.objects.all(),
        field_name="audiences",
        label=_("Audience"),
        facet=True,
    )
    stage = SlugFilter(
        queryset=Stage.objects.all(),
        field_name="stages",
        label=_("Trafficking stage"),
        facet=True,
    )
    kind = SlugFilter(
        queryset=PartnershipKind.objects.all(),
        field_name="kind",
        label=_("Kind of partnership"),
        facet=True,
    )
    provenance = ChoicesFilter(
        choices=Provenance.choices,
        field_name="provenance",
        label=_("Provenance"),
        facet=True,
    )
    maturity = ChoicesFilter(
        choices=Maturity.choices,
        field_name="maturity",
        label=_("Maturity"),
        facet=True,
    )
    tag = SlugFilter(
        queryset=Practice.objects.published().tags(),
        field_name="tags",
        label=_("Tag"),
        facet=True,
    )
    year_from = YearFilter(
        field_name="start_year",
        lookup_expr="gte",
        label=_("Started from"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        facet=YearRangeFacet(upper="year_to", label=_("Start year")),
    )
    year_to = YearFilter(
        field_name="start_year",
        lookup_expr="lte",
        label=_("Started until"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="sort_rows", label=_("Sort"), empty_label=None
    )

    class Meta:
        model = Practice
        fields = []

    def sort_rows(self, queryset, name, value):
        # Ordering is applied once, in order(), whatever the sort value.
        return queryset

    @property
    def sort_key(self):
        self.errors  # noqa: B018 - validates the form once
        chosen = self.form.cleaned_data.get("sort") if self.is_bound else None
        if chosen:
            return chosen
        return "relevance" if self.search_query else "title"

    def order(self, queryset):
        return order_practices(
            queryset, self.sort_key, has_query=bool(self.search_query)
        )

    def matching_keys(self, query):
        """From the practices' search rows where they answer (``practices.search``):
        the keys then come in no order, and the list gives its order in
        ``listed_keys``. Else from the practices."""
        published = self._search_rows_among(query)
        if published is None:
            return super().matching_keys(query)
        found = ranked_keys(query)
        self._search_rows_matched = len(found)
        return [key for key in found if key in published]

    def listed_keys(self, query, matches, rows):
        """From the search rows: in the list's order, read a page at a time."""
        if self._search_rows_among(query) is None:
            return super().listed_keys(query, matches, rows)
        share = len(rows) / max(getattr(self, "_search_rows_matched", 0), 1)
        order = functools.partial(
            order_practices, sort=self.sort_key, has_query=True, title=F("title_key")
        )
        return KeysByPage(
            len(rows),
            lambda stop: ranked_keys(query, order, among=rows, limit=stop, share=share),
        )

    def _search_rows_among(self, query):
        """The published keys, when the practices matching ``query`` come from the
        search rows: in an order they serve, with the facet index, where the rows
        answer. Else None."""
        if self.sort_key not in SEARCH_ROW_SORTS or not search_rows_answer(query):
            return None
        return published_keys(self.queryset)


#: The sorts of a search whose pages come from the search rows, which keep the
#: rank and the title's order (``title_key``). By year the practices' own ordered
#: match is faster (bench/README.md).
SEARCH_ROW_SORTS = ("relevance", "title")


def order_practices(queryset, sort, *, has_query, title=None):
    """The rows of ``queryset`` in the list's ``sort``; ``title`` is what orders
    titles, if not ``title_order()`` of the rows' own."""
    title = title_order() if title is None else title
    if sort == "relevance" and has_query:
        return queryset.order_by("-rank", title, "pk")
    if sort == "newest":
        return queryset.order_by(F("start_year").desc(nulls_last=True), title, "pk")
    if sort == "oldest":
        return queryset.order_by(F("start_year").asc(nulls_last=True), title, "pk")
    return queryset.order_by(title, "pk")


class OrganisationFilterSet(ListFilterSet):
    """One definition of "these organisations", for the list, its exports and API."""

    q = SearchFilter()
    type = ChoicesFilter(
        choices=OrganisationType.choices,
        field_name="type",
        label=_("Type of organisation"),
        facet=True,
    )
    country = SlugFilter(
        queryset=Country.objects.all(),
        field_name="country",
        to_field_name="code",
        label=_("Country"),
        facet=OrganisationCountryFacet(),
    )
    sector = SlugFilter(
        queryset=Sector.objects.all(),
        field_name="roles__practice__sectors",
        published_via="roles__practice",
        label=_("Sector of their practices"),
        facet=RelationFacet(few_pairs=True),
    )

    class Meta:
        model = Organisation
        fields = []

    # Dictionary order: "Adidas" before "AUSTRAC", accents ignored.
    list_order = (Folded("name"), "pk")


class LessonFilterSet(ListFilterSet):
    """One definition of "these lessons learned", for the list, its exports and API."""

    q = SearchFilter()
    sector = OrNoneSlugFilter(
        queryset=Sector.objects.all(),
        field_name="sector",
        label=_("Sector"),
        none_label=_("Across sectors"),
        facet=OrNoneColumnFacet(),
    )

    class Meta:
        model = LessonLearned
        fields = []

    # Cross-sector lessons (no sector) after the sectors, in their editorial order.
    list_order = (F("sector__order").asc(nulls_last=True), "order", "pk")


def published_counts(*params):
    """{param: {stored key: published practices}} for the practice list's facets
    ``params``, with no filter: the counts its sidebar shows, from the in-process
    facet index (``core.listing.index``) where it serves them, so a page that only
    counts (the home page) reads no practice row."""
    filterset = PracticeFilterSet({}, queryset=Practice.objects.published())
    facets = PracticeFilterSet.facet_by_param
    return {param: facets[param].counted(filterset) for param in params}
