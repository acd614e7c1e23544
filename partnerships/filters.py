from compendium.filters import (
    Facet,
    PublicFilterSet,
    SearchFilter,
    SlugFilter,
    all_options,
)
from partnerships.models import ActionPoint, Meeting
from practices.models import Audience, Sector


class ActionPointFilterSet(PublicFilterSet):
    """One definition of "these action points", for the list page and its CSV."""

    q = SearchFilter()
    audience = SlugFilter(
        queryset=Audience.objects.all(), relation="audience", label="Audience"
    )
    sector = SlugFilter(
        queryset=Sector.objects.all(), relation="sector", label="Sector"
    )
    meeting = SlugFilter(
        queryset=Meeting.objects.published(), relation="meeting", label="Meeting"
    )

    facets = (
        Facet("audience", "Audience", all_options(Audience), key="audience"),
        Facet("sector", "Sector", all_options(Sector), key="sector"),
        Facet(
            "meeting",
            "Meeting",
            lambda keys, selected: list(
                Meeting.objects.published().values_list("pk", "slug", "short_title")
            ),
            key="meeting",
        ),
    )

    class Meta:
        model = ActionPoint
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.search_query:
            return queryset.order_by("-rank", "audience__order", "order", "pk")
        return queryset.order_by("audience__order", "order", "pk")
