"""The shapes of the API's answers.

A list's items are made from its export columns (``core.listing.csv.Column``, whose
``type`` says what each holds), so the OpenAPI document describes exactly the keys and
types the list sends. The list serializers only describe: the list views answer with
``ListingView.payload_for``. The meeting and organisation details are serialized here.
"""

import types
import typing

from django.http import HttpRequest
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


class FacetOptionSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The parameter's value for this option.")
    label = serializers.CharField()
    count = serializers.IntegerField(
        help_text="Rows with this option under every other active filter."
    )
    selected = serializers.BooleanField(
        help_text="Whether the query string asks for this option."
    )
    toggle_url = serializers.CharField(
        help_text="This list with the option added or removed, from page 1."
    )


class FacetSerializer(serializers.Serializer):
    param = serializers.CharField(help_text="The parameter this facet filters by.")
    label = serializers.CharField()
    options = FacetOptionSerializer(
        many=True,
        help_text="Every option with a row to show or selected, in the facet's order.",
    )


def column_field(kind, **options):
    """The serializer field for a Column's ``type``."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        (kind,) = (arg for arg in args if arg is not type(None))
        return column_field(kind, allow_null=True, **options)
    if typing.get_origin(kind) is list:
        return serializers.ListField(child=column_field(args[0]), **options)
    if kind is str:
        return serializers.CharField(allow_blank=True, **options)
    if kind is int:
        return serializers.IntegerField(**options)
    if kind is bool:
        return serializers.BooleanField(**options)
    raise TypeError(f"No API field for a column of type {kind!r}.")


class ShapeRequest(HttpRequest):
    """Stands in for a request where a list's columns are read for their headers and
    types only, never a value: drf-spectacular documents the API without one (its
    deploy check included), and no host is validated for a URL nobody receives."""

    def get_host(self):
        return "localhost"


_made = {}


def _once(name, make):
    # drf-spectacular names a component after its class: one class per name.
    if name not in _made:
        _made[name] = make()
    return _made[name]


def _list_name(listing_view):
    # PracticeListView: "Practice", so its components are PracticeItem, PracticeList.
    return listing_view.__name__.removesuffix("View").removesuffix("List")


def item_serializer(listing_view):
    """One row of ``listing_view``: its export's columns, in order."""

    def make():
        fields = {
            column.header: column_field(column.type)
            for column in listing_view.export.columns(ShapeRequest())
        }
        return type(f"{name}Serializer", (serializers.Serializer,), fields)

    name = f"{_list_name(listing_view)}Item"
    return _once(name, make)


def detail_serializer(listing_view):
    """An item of ``listing_view`` with its description."""

    def make():
        item = item_serializer(listing_view)
        return type(
            f"{name}Serializer",
            (item,),
            {"description": serializers.CharField(allow_blank=True)},
        )

    name = f"{_list_name(listing_view)}Detail"
    return _once(name, make)


def list_serializer(listing_view):
    """One page of ``listing_view`` as ``ListingView.json_payload`` builds it."""

    def make():
        noun = listing_view.noun[1]
        fields = {
            "count": serializers.IntegerField(
                help_text=f"The number of {noun} on every page together."
            ),
            "page": serializers.IntegerField(help_text="This page's number, from 1."),
            "num_pages": serializers.IntegerField(),
            "page_size": serializers.IntegerField(
                help_text="Rows per page (the last page may hold fewer)."
            ),
            "next": serializers.CharField(
                allow_null=True, help_text="The next page, or null on the last."
            ),
            "previous": serializers.CharField(
                allow_null=True, help_text="The previous page, or null on the first."
            ),
            "query": serializers.CharField(
                allow_blank=True, help_text="The search (q) as it was used."
            ),
            "results": item_serializer(listing_view)(many=True),
            "facets": FacetSerializer(many=True),
            "messages": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text=(
                    "For each parameter with a value that was not used, the "
                    "sentences saying why; the other filters still apply."
                ),
            ),
        }
        return type(f"{name}Serializer", (serializers.Serializer,), fields)

    name = f"{_list_name(listing_view)}List"
    return _once(name, make)


class AbsoluteURLField(serializers.CharField):
    """The object's public page (``source`` names its path), as a full URL."""

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value)


class MeetingLinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = AbsoluteURLField(source="get_absolute_url")


class PracticeLinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = AbsoluteURLField(source="get_absolute_url")


class OrganisationLinkSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = AbsoluteURLField(source="get_absolute_url")


class InsightSerializer(serializers.Serializer):
    text = serializers.CharField()
    sector = serializers.CharField(
        source="sector.name", allow_null=True, help_text="Null: across sectors."
    )


class MeetingDetailSerializer(serializers.Serializer):
    title = serializers.CharField()
    short_title = serializers.CharField()
    url = AbsoluteURLField(source="get_absolute_url")
    kind = serializers.CharField(source="get_kind_display")
    region = serializers.CharField(source="region.name", allow_null=True)
    region_detail = serializers.CharField(allow_blank=True)
    start_date = serializers.CharField(
        source="start_date_known",
        allow_null=True,
        help_text="As far as it is known: YYYY-MM-DD, YYYY-MM or YYYY; null if none.",
    )
    end_date = serializers.DateField(allow_null=True)
    date_note = serializers.CharField(
        allow_blank=True, help_text="How the date is known."
    )
    outcomes_published = serializers.BooleanField()
    format = serializers.CharField(source="get_format_display", allow_blank=True)
    host_office = serializers.CharField(allow_blank=True)
    participants_count = serializers.IntegerField(allow_null=True)
    participants_note = serializers.CharField(allow_blank=True)
    summary = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    funder = serializers.CharField(allow_blank=True)
    organisations = OrganisationLinkSerializer(many=True)
    practices = PracticeLinkSerializer(
        many=True, source="public_practices", help_text="Published practices only."
    )
    insights = InsightSerializer(many=True)
    sources = serializers.SerializerMethodField()

    def get_sources(self, meeting) -> list[str]:
        return [source.url for source in meeting.sources.all()]


class RoleSerializer(serializers.Serializer):
    title = serializers.CharField(source="practice.title")
    url = AbsoluteURLField(source="practice.get_absolute_url")
    role = serializers.CharField(source="get_role_display")


class OrganisationDetailSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = AbsoluteURLField(source="get_absolute_url")
    type = serializers.CharField(source="get_type_display")
    country = serializers.CharField(source="country.name", allow_null=True)
    website = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    practices = RoleSerializer(
        many=True,
        source="public_roles",
        help_text="Its roles in published practices, by practice title.",
    )
    meetings = MeetingLinkSerializer(
        many=True, source="public_meetings", help_text="Published meetings only."
    )
