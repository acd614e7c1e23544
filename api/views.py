"""The JSON API: the public lists, a detail per published item, and their docs.

An API list is one route naming a ListingView (see ``api/urls.py``): its parameters,
rows, order, facets and messages are the site's list's own, and its parameters are
documented from the list's FilterSet.
"""

from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.generics import GenericAPIView, RetrieveAPIView
from rest_framework.response import Response

from api import serializers
from api.language import LanguageParam
from api.schema import ListingSchema
from core.errors import PublicHttp404
from partnerships.models import Insight, Meeting
from practices.models import Organisation, Practice, PracticePartner
from practices.views import PracticeListView


class ListingAPIView(LanguageParam, GenericAPIView):
    """One page of a public list, as its ListingView's JSON renderer builds it.

    ``listing_view`` names the list (a subclass sets it, or a route passes it to
    ``as_view``); everything else is read from it.
    """

    listing_view = None
    filter_backends = [DjangoFilterBackend]
    schema = ListingSchema()

    @property
    def filterset_class(self):
        return self.listing_view.filterset_class

    def get_queryset(self):
        # Read by DjangoFilterBackend and drf-spectacular for the model; the answer
        # itself comes from the ListingView's own rows.
        return self.filterset_class._meta.model._default_manager.published()

    def get(self, request, *args, **kwargs):
        return Response(self.listing_view.payload_for(request._request))

    # What OPTIONS answers: the list's name and words, not this class's docstring.
    def get_view_name(self):
        return self.listing_view.noun[1].capitalize()

    def get_view_description(self, html=False):
        return self.schema.get_description()


class PublishedDetailAPIView(LanguageParam, RetrieveAPIView):
    """A published item by its slug; for anything else (a draft, a typo) a 404."""

    lookup_field = "slug"
    noun = "item"

    def get_view_name(self):
        return f"A published {self.noun}"

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as error:
            raise PublicHttp404(
                f"No published {self.noun} has that address."
            ) from error


class PracticeDetailAPIView(PublishedDetailAPIView):
    """A published practice: its row of the list, and its description."""

    listing_view = PracticeListView
    queryset = Practice.objects.published().only("pk", "slug", "description")
    noun = "practice"

    def get_serializer_class(self):
        return serializers.detail_serializer(self.listing_view)

    def retrieve(self, request, *args, **kwargs):
        practice = self.get_object()
        (item,) = self.listing_view.export.items(
            request._request, Practice.objects.published().filter(pk=practice.pk)
        )
        return Response({**item, "description": practice.description})


class MeetingDetailAPIView(PublishedDetailAPIView):
    """A published meeting, with the published practices it discussed."""

    serializer_class = serializers.MeetingDetailSerializer
    noun = "meeting"

    def get_queryset(self):
        return (
            Meeting.objects.published()
            .select_related("region")
            .prefetch_related(
                "organisations",
                "sources",
                Prefetch("insights", queryset=Insight.objects.select_related("sector")),
                Prefetch(
                    "practices",
                    queryset=Practice.objects.published().order_by(Lower("title")),
                    to_attr="public_practices",
                ),
            )
        )


class OrganisationDetailAPIView(PublishedDetailAPIView):
    """An organisation named by published content, with its roles in it."""

    serializer_class = serializers.OrganisationDetailSerializer
    noun = "organisation"

    def get_queryset(self):
        return (
            Organisation.objects.published()
            .select_related("country")
            .prefetch_related(
                Prefetch(
                    "roles",
                    queryset=PracticePartner.objects.in_published_practices()
                    .select_related("practice")
                    .order_by("practice__title", "pk"),
                    to_attr="public_roles",
                ),
                Prefetch(
                    "meetings",
                    queryset=Meeting.objects.published(),
                    to_attr="public_meetings",
                ),
            )
        )


class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI schema. The API has one version, in its address (``/api/v1/``):
    a ``?version=`` is ignored, as any unknown parameter is. drf-spectacular would
    write it into the Content-Disposition header, where a line break is an error
    (a 500), not a filename."""

    def _get_version_parameter(self, request):
        return None


class DocsView(SpectacularSwaggerView):
    """Swagger UI from our own static files, started by a static script: the site's
    Content Security Policy runs no inline script or style, which drf-spectacular's
    own templates hold."""

    template_name = "api/docs.html"
    url_name = "api:openapi"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Relaxed for Swagger UI's OAuth2 pop-up, which an API without sign-in never
        # opens: the page keeps the site's same-origin policy.
        del response.headers["Cross-Origin-Opener-Policy"]
        return response
