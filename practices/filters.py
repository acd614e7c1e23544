import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.db.models.functions import Lower
from taggit.models import Tag, TaggedItem

from compendium.filters import (
    ChoicesFilter,
    Facet,
    PublicFilterSet,
    Relation,
    SearchFilter,
    SlugFilter,
    all_options,
)
from practices.models import (
    MAX_YEAR,
    MIN_YEAR,
    Audience,
    Country,
    OrganisationType,
    PartnershipKind,
    Practice,
    PracticePartner,
    Region,
    Sector,
    Stage,
)


def _through(relation, value):
    """Count a many-to-many facet on its through table (each pair is stored once).

    ``value`` is the through table's foreign key to the option, counted by id.
    """
    return Relation(
        rows=lambda: getattr(Practice, relation).through.objects.all(),
        key="practice_id",
        value=value,
    )


def _tags(keys, selected):
    """Tags with a count (so public), and selected ones that are public."""
    return list(
        Tag.objects.filter(
            Q(pk__in=keys)
            | Q(slug__in=selected, pk__in=Practice.objects.published().tags())
        )
        .order_by("name")
        .values_list("pk", "slug", "name")
    )


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


SORT_CHOICES = [
    ("relevance", "Relevance"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("title", "Title A–Z"),
]


class PracticeFilterSet(PublicFilterSet):
    """One definition of "these practices", for the list page and its CSV export."""

    q = SearchFilter()
    sector = SlugFilter(
        queryset=Sector.objects.all(), relation="sectors", label="Sector"
    )
    region = SlugFilter(
        queryset=Region.objects.all(), relation="regions", label="Region"
    )
    country = SlugFilter(
        queryset=Country.objects.all(),
        relation="countries",
        to_field_name="code",
        label="Country",
    )
    partner_type = ChoicesFilter(
        choices=OrganisationType.choices,
        relation="partners__organisation__type",
        label="Partner type",
    )
    audience = SlugFilter(
        queryset=Audience.objects.all(), relation="audiences", label="Audience"
    )
    stage = SlugFilter(
        queryset=Stage.objects.all(), relation="stages", label="Trafficking stage"
    )
    kind = SlugFilter(
        queryset=PartnershipKind.objects.all(),
        relation="kind",
        label="Kind of partnership",
    )
    tag = SlugFilter(
        queryset=Practice.objects.published().tags(), relation="tags", label="Tag"
    )
    year_from = YearFilter(
        field_name="start_year",
        lookup_expr="gte",
        label="Started from",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )
    year_to = YearFilter(
        field_name="start_year",
        lookup_expr="lte",
        label="Started until",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="sort_rows", label="Sort", empty_label=None
    )

    facets = (
        Facet(
            "sector",
            "Sector",
            all_options(Sector),
            relation=_through("sectors", "sector"),
        ),
        Facet(
            "region",
            "Region",
            all_options(Region),
            relation=_through("regions", "region"),
        ),
        Facet(
            "country",
            "Country",
            all_options(Country, "code"),
            relation=_through("countries", "country"),
        ),
        Facet(
            "partner_type",
            "Partner type",
            lambda keys, selected: [
                (value, value, label) for value, label in OrganisationType.choices
            ],
            relation=Relation(
                rows=lambda: PracticePartner.objects.all(),
                key="practice_id",
                value="organisation__type",
                repeats=True,
            ),
        ),
        Facet(
            "audience",
            "Audience",
            all_options(Audience),
            relation=_through("audiences", "audience"),
        ),
        Facet(
            "stage",
            "Trafficking stage",
            all_options(Stage),
            relation=_through("stages", "stage"),
        ),
        Facet("kind", "Kind of partnership", all_options(PartnershipKind), key="kind"),
        Facet(
            "tag",
            "Tag",
            _tags,
            limit=20,
            relation=Relation(
                rows=lambda: TaggedItem.objects.filter(
                    content_type=ContentType.objects.get_for_model(Practice)
                ),
                key="object_id",
                value="tag",
            ),
        ),
    )

    class Meta:
        model = Practice
        fields = []

    def sort_rows(self, queryset, name, value):
        # Ordering is applied once, in filter_queryset, whatever the sort value.
        return queryset

    @property
    def sort_key(self):
        self.errors  # noqa: B018 - validates the form once
        chosen = self.form.cleaned_data.get("sort") if self.is_bound else None
        if chosen:
            return chosen
        return "relevance" if self.search_query else "title"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return order_practices(
            queryset, self.sort_key, has_query=bool(self.search_query)
        )


def order_practices(queryset, sort, *, has_query):
    # Titles A–Z whatever their case ("eBay" beside "E…", not after "Z…").
    title = Lower("title")
    if sort == "relevance" and has_query:
        return queryset.order_by("-rank", title, "pk")
    if sort == "newest":
        return queryset.order_by(F("start_year").desc(nulls_last=True), title, "pk")
    if sort == "oldest":
        return queryset.order_by(F("start_year").asc(nulls_last=True), title, "pk")
    return queryset.order_by(title, "pk")
