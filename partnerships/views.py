from django.db.models import Count, F, Prefetch, Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView

from core.listing.params import clean_params
from core.listing.views import ListingView
from partnerships.export import ACTION_POINT_EXPORT
from partnerships.filters import ActionPointFilterSet
from partnerships.models import ActionPoint, Insight, Meeting
from practices.models import (
    LessonLearned,
    Organisation,
    OrganisationType,
    Practice,
    PracticePartner,
)


class MeetingListView(ListView):
    template_name = "partnerships/meeting_list.html"
    context_object_name = "meetings"
    extra_context = {"crumbs": [{"label": "Meetings"}]}

    def get_queryset(self):
        return (
            Meeting.objects.published()
            .select_related("region")
            .annotate(
                insight_count=Count("insights", distinct=True),
                action_point_count=Count(
                    "action_points",
                    filter=Q(action_points__in=ActionPoint.objects.published()),
                    distinct=True,
                ),
            )
            # In the order they took place; one with no published date last.
            .order_by(F("start_date").asc(nulls_last=True), "title", "pk")
        )


class MeetingDetailView(DetailView):
    """A published meeting; staff may preview drafts, which carry a banner."""

    template_name = "partnerships/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        return (
            Meeting.objects.previewable_by(self.request.user)
            .select_related("region")
            .prefetch_related(
                Prefetch("insights", queryset=Insight.objects.select_related("sector")),
                "sources",
                "organisations",
                Prefetch(
                    "practices",
                    queryset=Practice.objects.published()
                    .select_related("kind")
                    .prefetch_related("sectors"),
                ),
                Prefetch(
                    "action_points",
                    queryset=ActionPoint.objects.published().select_related(
                        "audience", "sector"
                    ),
                ),
                Prefetch("lessons", queryset=LessonLearned.objects.published()),
            )
        )


class ActionPointListView(ListingView):
    filterset_class = ActionPointFilterSet
    template_name = "partnerships/actionpoint_list.html"
    export = ACTION_POINT_EXPORT
    export_url_names = {
        "csv": "partnerships:action_point_export",
        "xlsx": "partnerships:action_point_export_xlsx",
    }
    noun = ("action point", "action points")
    paginate_by = 50
    extra_context = {"crumbs": [{"label": "Action points"}]}

    def page_queryset(self, queryset):
        return queryset.select_related("audience", "sector", "meeting")


class OrganisationListView(ListView):
    template_name = "partnerships/organisation_list.html"
    context_object_name = "organisations"
    paginate_by = 100

    def get_queryset(self):
        queryset = Organisation.objects.published().select_related("country")
        if self.org_type in dict(OrganisationType.choices):
            queryset = queryset.filter(type=self.org_type)
        return queryset.order_by("name", "pk")

    @cached_property
    def org_type(self):
        return clean_params(self.request.GET).get("type", "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Counted for this page's organisations only, not for every organisation.
        organisations = context["organisations"]
        counts = dict(
            PracticePartner.objects.filter(
                organisation__in=[organisation.pk for organisation in organisations],
                practice__in=Practice.objects.published(),
            )
            .values("organisation")
            .annotate(n=Count("practice", distinct=True))
            .values_list("organisation", "n")
        )
        for organisation in organisations:
            organisation.practice_count = counts.get(organisation.pk, 0)
        context["crumbs"] = [{"label": "Organisations"}]
        context["types"] = OrganisationType.choices
        context["current_type"] = self.org_type
        if self.org_type and self.org_type not in dict(OrganisationType.choices):
            context["type_message"] = (
                f"“{self.org_type}” is not a known type of organisation; "
                "every type is shown."
            )
        return context


class OrganisationDetailView(DetailView):
    """An organisation named by published content, with its practices."""

    template_name = "partnerships/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.published().select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roles"] = (
            PracticePartner.objects.filter(
                organisation=self.object, practice__in=Practice.objects.published()
            )
            .select_related("practice__kind")
            .prefetch_related("practice__sectors")
            .order_by("practice__title")
        )
        context["meetings"] = self.object.meetings.published()
        context["list_url"] = reverse("practices:list")
        return context
