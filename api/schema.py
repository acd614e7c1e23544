"""How the OpenAPI document describes the API (drf-spectacular).

AutoSchema is changed only where it says "override this": responses, filter
backends, extra parameters, operation id and words. The parameters are those
drf-spectacular's own django-filter extension finds in a list's FilterSet; a subclass
of it adds their words and bounds.
"""

from django_filters import MultipleChoiceFilter, NumberFilter
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.serializers import ErrorSerializer, list_serializer
from core.listing.filters import (
    NONE_VALUE,
    AllOfFilter,
    OrNoneSlugFilter,
    SearchFilter,
    YearFilter,
)
from core.listing.views import MAX_PAGE_SIZE
from core.translation import LANG_PARAM, LANGUAGE_NAMES, LANGUAGE_UNKNOWN


class ListFilterExtension(DjangoFilterExtension):
    """The parameters of a list's FilterSet, as drf-spectacular types them, with
    what a caller needs to know: how values combine, where to find them, bounds."""

    priority = 1

    def resolve_filter_field(
        self, auto_schema, model, filterset_class, field_name, filter_field
    ):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        label = filter_field.label or field_name
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(filter_field, AllOfFilter):
                words = (
                    f"{label}. Repeat the parameter to require every value (AND): "
                    "rows reaching all of them."
                )
                if getattr(filter_field, "facet", None):
                    words += (
                        f" The `{field_name}` facet of the answer counts, for each "
                        "value, the rows of this answer that adding it would leave."
                    )
                parameter["description"] = words
            elif isinstance(filter_field, MultipleChoiceFilter):
                words = f"{label}. Repeat the parameter to combine values with OR."
                if isinstance(filter_field, OrNoneSlugFilter):
                    words += (
                        f" `{NONE_VALUE}` chooses the rows with no {label.lower()}"
                        f" ({filter_field.none_label.lower()})."
                    )
                if getattr(filter_field, "facet", None):
                    words += (
                        f" The `{field_name}` facet of the answer lists the values "
                        "with their counts."
                    )
                parameter["description"] = words
            elif isinstance(filter_field, SearchFilter):
                parameter["description"] = (
                    "Words to search for, all of which must match; a phrase in "
                    'double quotes ("worker voice") matches whole, -word leaves a '
                    "word out."
                )
            elif isinstance(filter_field, NumberFilter):
                for bound, key in (("min_value", "minimum"), ("max_value", "maximum")):
                    if filter_field.extra.get(bound) is not None:
                        schema[key] = filter_field.extra[bound]
                if isinstance(filter_field, YearFilter):
                    parameter["description"] = f"{label} (a year)."
        return parameters


class APISchema(AutoSchema):
    """Every operation takes ``lang`` and may answer 400 for a language it does not
    know and 404, with the reason in ``detail``."""

    def get_override_parameters(self):
        return [
            OpenApiParameter(
                LANG_PARAM,
                {"type": "string", "enum": list(LANGUAGE_NAMES)},
                description=(
                    "The language of the texts: titles, summaries, descriptions, "
                    "outcomes and the texts of action points, lessons, strategies and "
                    "insights, where editors have translated them (English where they "
                    "have not); the answer's Content-Language names it. English "
                    "unless given. Column names, slugs and choice values stay English."
                ),
            )
        ]

    def get_response_serializers(self):
        noun = getattr(self.view, "noun", "item")
        return {
            200: super().get_response_serializers(),
            400: OpenApiResponse(ErrorSerializer, description=LANGUAGE_UNKNOWN),
            404: OpenApiResponse(
                ErrorSerializer, description=f"No published {noun} has that address."
            ),
        }

    def get_summary(self):
        noun = getattr(self.view, "noun", None)
        return f"A published {noun}" if isinstance(noun, str) else None


class ListingSchema(APISchema):
    """A ListingAPIView: its FilterSet's parameters (drf-spectacular's django-filter
    extension), ``page`` and ``page_size``, described in its list's words."""

    def get_response_serializers(self):
        return {
            200: list_serializer(self.view.listing_view),
            400: OpenApiResponse(ErrorSerializer, description=LANGUAGE_UNKNOWN),
            404: OpenApiResponse(
                ErrorSerializer, description="No such page: the list is shorter."
            ),
        }

    def get_filter_backends(self):
        # A page of a list is one object, so drf-spectacular does not take the view
        # for a list and would leave the filters out.
        return self.view.filter_backends

    def get_override_parameters(self):
        listing = self.view.listing_view
        return [
            *super().get_override_parameters(),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1},
                description=(
                    "The page, from 1 (the default). A page past the last answers 404."
                ),
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description=(
                    f"Rows per page, {listing.paginate_by} unless given; larger "
                    f"values count as {MAX_PAGE_SIZE}."
                ),
            ),
        ]

    def get_operation_id(self):
        # drf-spectacular names it "_retrieve", taking one page for one object.
        return super().get_operation_id().removesuffix("_retrieve") + "_list"

    def get_summary(self):
        return f"Published {self.view.listing_view.noun[1]}, a page at a time"

    def get_description(self):
        """What the list is; OPTIONS answers it too."""
        noun = self.view.listing_view.noun[1]
        return (
            f"The {noun} of the site's list, with the same parameters, the same rows "
            "in the same order, and its facets. Repeat a parameter to combine values "
            "with OR (unless its description says AND); different parameters combine "
            "with AND. A value that is not "
            "known or not well formed is ignored and reported in `messages`."
        )
