from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.listing.facets import ColumnFacet, OrNoneColumnFacet
from core.listing.filters import (
    ChoicesFilter,
    ListFilterSet,
    OrNoneSlugFilter,
    SearchFilter,
    SlugFilter,
)
from partnerships.models import ActionPoint, Meeting, Strategy
from practices.models import Audience, Region, Sector


class ActionPointFilterSet(ListFilterSet):
    """One definition of "these action points", for the list, its exports and API."""

    q = SearchFilter()
    audience = SlugFilter(
        queryset=Audience.objects.all(),
        field_name="audience",
        label=_("Audience"),
        facet=True,
    )
    sector = SlugFilter(
        queryset=Sector.objects.all(),
        field_name="sector",
        label=_("Sector"),
        facet=True,
    )
    meeting = SlugFilter(
        queryset=Meeting.objects.published(),
        field_name="meeting",
        label=_("Meeting"),
        facet=ColumnFacet(label_field="short_title"),
    )

    class Meta:
        model = ActionPoint
        fields = []

    list_order = ("audience__order", "order", "pk")


class MeetingFilterSet(ListFilterSet):
    """One definition of "these meetings", for the list, its exports and API."""

    q = SearchFilter()
    kind = ChoicesFilter(
        choices=Meeting.Kind.choices,
        field_name="kind",
        label=_("Kind of meeting"),
        facet=True,
    )
    region = SlugFilter(
        queryset=Region.objects.all(),
        field_name="region",
        label=_("Region"),
        facet=True,
    )

    class Meta:
        model = Meeting
        fields = []

    # In the order they took place; one with no published date last.
    list_order = (F("start_date").asc(nulls_last=True), "title", "pk")


class StrategyFilterSet(ListFilterSet):
    """One definition of "these recommended strategies", for the list, its exports
    and API."""

    q = SearchFilter()
    sector = OrNoneSlugFilter(
        queryset=Sector.objects.all(),
        field_name="sector",
        label=_("Sector"),
        none_label=_("Across sectors"),
        facet=OrNoneColumnFacet(),
    )
    audience = SlugFilter(
        queryset=Audience.objects.all(),
        field_name="audiences",
        label=_("Audience"),
        facet=True,
    )
    meeting = SlugFilter(
        queryset=Meeting.objects.published(),
        field_name="meeting",
        label=_("Meeting"),
        facet=ColumnFacet(label_field="short_title"),
    )

    class Meta:
        model = Strategy
        fields = []

    list_order = ("order", "pk")
