from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from core.listing.chips import Noun
from core.listing.feeds import Feed
from core.listing.filters import NONE_VALUE
from core.listing.views import ListingView
from partnerships.export import ACTION_POINT_EXPORT, MEETING_EXPORT, STRATEGY_EXPORT
from partnerships.filters import (
    ActionPointFilterSet,
    MeetingFilterSet,
    StrategyFilterSet,
)
from partnerships.models import ActionPoint, Insight, Meeting, Strategy
from practices.models import (
    Audience,
    LessonLearned,
    Practice,
    Sector,
)


class MeetingListView(ListingView):
    filterset_class = MeetingFilterSet
    template_name = "partnerships/meeting_list.html"
    export = MEETING_EXPORT
    noun = Noun("meeting", "meetings")
    feed = Feed(_("New meetings"))
    context_object_name = "meetings"
    extra_context = {"crumbs": [{"label": _("Meetings")}]}

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
    noun = Noun("action point", "action points")
    feed = Feed(_("New action points"), description="text")
    paginate_by = 50
    extra_context = {"crumbs": [{"label": _("Action points")}]}

    def page_queryset(self, queryset):
        return queryset.select_related(
            "audience", "sector", "meeting"
        ).with_published_practices()


class StrategyListView(ListingView):
    filterset_class = StrategyFilterSet
    template_name = "partnerships/strategy_list.html"
    export = STRATEGY_EXPORT
    noun = Noun("recommended strategy", "recommended strategies")
    feed = Feed(_("New strategies"), description="text")
    context_object_name = "strategies"
    paginate_by = 50
    extra_context = {"crumbs": [{"label": _("Recommended strategies")}]}

    def page_queryset(self, queryset):
        return queryset.for_display()


# Start from your role --------------------------------------------------------------

#: How many of an audience's practices and lessons its page shows; the rest are a
#: link away, on their lists.
ROLE_PRACTICES_SHOWN = 6
ROLE_LESSONS_SHOWN = 6


def published_count(queryset, field):
    """A subquery counting ``queryset``'s rows whose ``field`` is the outer row: one
    query for a whole list of audiences, with no join that multiplies rows."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


@require_safe
def audience_list(request):
    """Every audience, with how much published content addresses it."""
    audiences = Audience.objects.annotate(
        action_point_count=published_count(ActionPoint.objects.published(), "audience"),
        practice_count=published_count(
            Practice.audiences.through.objects.filter(
                practice__in=Practice.objects.published()
            ),
            "audience",
        ),
    ).order_by("order", "name")
    return render(
        request,
        "partnerships/audience_list.html",
        {"audiences": audiences, "crumbs": [{"label": _("Start from your role")}]},
    )


def grouped(action_points, attribute):
    """``[(value, [points])]`` of ``attribute``, in the order the points come."""
    groups = {}
    for point in action_points:
        groups.setdefault(getattr(point, attribute), []).append(point)
    return list(groups.items())


def group_by_sector(action_points):
    """``[(sector or None, [points])]``: the sectors in their order, then the points
    across sectors (no sector) last."""
    return sorted(
        grouped(action_points, "sector"),
        key=lambda item: (
            item[0] is None,
            (item[0].order, item[0].name) if item[0] else (0, ""),
        ),
    )


@require_safe
def audience_detail(request, slug):
    """What one audience can do, and the published content behind it."""
    audience = get_object_or_404(Audience, slug=slug)
    action_points = list(
        ActionPoint.objects.published()
        .filter(audience=audience)
        .select_related("sector", "meeting")
        .with_published_practices()
        .order_by("order", "pk")
    )
    practices = (
        Practice.objects.published()
        .filter(audiences=audience)
        .select_related("kind")
        .prefetch_related("sectors")
        .order_by(Lower("title"), "pk")
    )
    practice_count = practices.count()
    # The audience's sectors: those of its action points and of its practices.
    sector_ids = {point.sector_id for point in action_points if point.sector_id}
    sector_ids.update(
        Practice.sectors.through.objects.filter(
            practice__in=practices.values("pk")
        ).values_list("sector_id", flat=True)
    )
    sectors = list(Sector.objects.filter(pk__in=sector_ids).order_by("order", "name"))
    # The lessons and strategies of those sectors, and those across sectors.
    in_sectors = Q(sector__in=sectors) | Q(sector__isnull=True)
    lessons = (
        LessonLearned.objects.published()
        .filter(in_sectors)
        .select_related("sector")
        # A public lesson's practices are all published (its gate): no filter.
        .prefetch_related("practices")
        .order_by(F("sector__order").asc(nulls_last=True), "order", "pk")
    )
    lesson_count = lessons.count()
    # Strategies addressed to the audience first, then the others of its sectors.
    strategies = list(
        Strategy.objects.published()
        .annotate(
            for_audience=Exists(
                Strategy.audiences.through.objects.filter(
                    strategy=OuterRef("pk"), audience=audience
                )
            )
        )
        .filter(Q(for_audience=True) | in_sectors)
        .for_display()
        .order_by("-for_audience", "order", "pk")
    )
    sector_query = "&".join(
        [f"sector={sector.slug}" for sector in sectors] + [f"sector={NONE_VALUE}"]
    )
    audience_query = f"audience={audience.slug}"

    def exports(list_name, export_name, api_name, query):
        return {
            "list": f"{reverse(list_name)}?{query}",
            "csv": f"{reverse(export_name)}?{query}",
            "xlsx": f"{reverse(export_name + '_xlsx')}?{query}",
            "json": f"{reverse(api_name)}?{query}",
        }

    return render(
        request,
        "partnerships/audience_detail.html",
        {
            "audience": audience,
            "action_point_count": len(action_points),
            "action_point_groups": group_by_sector(action_points),
            "practice_count": practice_count,
            "practices": practices[:ROLE_PRACTICES_SHOWN] if practice_count else [],
            "sectors": sectors,
            "lesson_count": lesson_count,
            "lessons": lessons[:ROLE_LESSONS_SHOWN] if lesson_count else [],
            "action_point_links": exports(
                "partnerships:action_point_list",
                "partnerships:action_point_export",
                "api:action_point_list",
                audience_query,
            ),
            "practice_links": exports(
                "practices:list",
                "practices:export",
                "api:practice_list",
                audience_query,
            ),
            "strategies": strategies,
            "strategy_count": len(strategies),
            "audience_strategy_count": sum(s.for_audience for s in strategies),
            "audience_strategy_links": exports(
                "partnerships:strategy_list",
                "partnerships:strategy_export",
                "api:strategy_list",
                audience_query,
            ),
            "sector_strategy_links": exports(
                "partnerships:strategy_list",
                "partnerships:strategy_export",
                "api:strategy_list",
                sector_query,
            ),
            "lesson_links": exports(
                "practices:lesson_list",
                "practices:lesson_export",
                "api:lesson_list",
                sector_query,
            ),
            "crumbs": [
                {
                    "label": _("Start from your role"),
                    "url": reverse("partnerships:audience_list"),
                },
                {"label": audience.name},
            ],
        },
    )


class SectorDetailView(DetailView):
    """A sector's practices with the dialogue about it: its action points by
    audience, lessons, strategies and meeting insights. Here, not in practices,
    because most of what it shows belongs to this app."""

    model = Sector
    template_name = "partnerships/sector_detail.html"
    practices_shown = 12

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sector = self.object
        practices = (
            Practice.objects.published()
            .filter(sectors=sector)
            .select_related("kind")
            .prefetch_related("sectors", "regions", "countries")
            .order_by("-published_at", "title")
        )
        practice_count = practices.count()
        shown = list(practices[: self.practices_shown]) if practice_count else []
        action_points = list(
            ActionPoint.objects.published()
            .filter(sector=sector)
            .select_related("audience", "meeting")
            .with_published_practices()
            .order_by("audience__order", "audience__name", "order", "pk")
        )
        # The sector's own lessons and strategies first, then those across sectors.
        in_sector = Q(sector=sector) | Q(sector__isnull=True)
        context.update(
            practice_count=practice_count,
            practices=shown,
            lessons=list(
                LessonLearned.objects.published()
                .filter(in_sector)
                # A public lesson's practices are all published (its gate).
                .prefetch_related("practices")
                .order_by(F("sector").asc(nulls_last=True), "order", "pk")
            ),
            strategies=list(
                Strategy.objects.published()
                .filter(in_sector)
                .for_display()
                .order_by(F("sector").asc(nulls_last=True), "order", "pk")
            ),
            action_points=action_points,
            action_point_count=len(action_points),
            # Already in audience order.
            action_point_groups=grouped(action_points, "audience"),
            insights=list(
                Insight.objects.published()
                .filter(sector=sector)
                .select_related("meeting")
            ),
            list_url=reverse("practices:list") + f"?sector={sector.slug}",
            crumbs=[{"label": sector.name}],
        )
        return context
