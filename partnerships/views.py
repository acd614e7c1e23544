from django.db.models import Count, Prefetch, Q
from django.views.generic import DetailView

from core.listing.views import ListingView
from partnerships.export import ACTION_POINT_EXPORT, MEETING_EXPORT, STRATEGY_EXPORT
from partnerships.filters import (
    ActionPointFilterSet,
    MeetingFilterSet,
    StrategyFilterSet,
)
from partnerships.models import ActionPoint, Insight, Meeting
from practices.models import (
    LessonLearned,
    Practice,
)


class MeetingListView(ListingView):
    filterset_class = MeetingFilterSet
    template_name = "partnerships/meeting_list.html"
    export = MEETING_EXPORT
    noun = ("meeting", "meetings")
    context_object_name = "meetings"
    extra_context = {"crumbs": [{"label": "Meetings"}]}

    def page_queryset(self, queryset):
        return queryset.select_related("region").annotate(
            insight_count=Count("insights", distinct=True),
            action_point_count=Count(
                "action_points",
                filter=Q(action_points__in=ActionPoint.objects.published()),
                distinct=True,
            ),
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
    noun = ("action point", "action points")
    paginate_by = 50
    extra_context = {"crumbs": [{"label": "Action points"}]}

    def page_queryset(self, queryset):
        return queryset.select_related(
            "audience", "sector", "meeting"
        ).with_published_practices()


class StrategyListView(ListingView):
    filterset_class = StrategyFilterSet
    template_name = "partnerships/strategy_list.html"
    export = STRATEGY_EXPORT
    noun = ("recommended strategy", "recommended strategies")
    context_object_name = "strategies"
    paginate_by = 50
    extra_context = {"crumbs": [{"label": "Recommended strategies"}]}

    def page_queryset(self, queryset):
        return queryset.for_display()
