"""Site-wide pages that belong to no app: home, about, cross-content search, health."""

from django.db import connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.errors import PublicHttp404
from core.search import SUGGEST_BELOW, clean_query, record_miss, suggestion
from partnerships.models import ActionPoint, Insight, Meeting
from practices.models import Organisation, Practice, Sector

RECENT_PRACTICES = 6
RESULTS_PER_KIND = 10


@require_safe
def home(request):
    sectors = Sector.objects.annotate(
        practice_count=Count(
            "practices",
            filter=Q(practices__in=Practice.objects.published()),
            distinct=True,
        )
    ).order_by("order", "name")
    recent = (
        Practice.objects.published()
        .select_related("kind")
        .prefetch_related("sectors")
        .order_by("-published_at", "title")[:RECENT_PRACTICES]
    )
    return render(
        request,
        "compendium/home.html",
        {
            "sectors": sectors,
            "recent_practices": recent,
            "practice_count": Practice.objects.published().count(),
            "meeting_count": Meeting.objects.published().count(),
            "action_point_count": ActionPoint.objects.published().count(),
        },
    )


@require_safe
def about(request):
    meetings = Meeting.objects.published().select_related("region")
    return render(
        request,
        "compendium/about.html",
        {"meetings": meetings, "crumbs": [{"label": "About"}]},
    )


@require_safe
def site_search(request):
    """One search over every kind of public content, grouped by kind."""
    query = clean_query(request.GET.get("q", ""))
    groups = []
    if query:
        kinds = [
            (
                "Practices",
                "practices",
                Practice.objects.published()
                .select_related("kind")
                .prefetch_related("sectors"),
            ),
            (
                "Action points",
                "action_points",
                ActionPoint.objects.published().select_related("audience", "sector"),
            ),
            (
                "Meeting insights",
                "insights",
                Insight.objects.published().select_related("meeting"),
            ),
            ("Meetings", "meetings", Meeting.objects.published()),
            ("Organisations", "organisations", Organisation.objects.published()),
        ]
        for label, key, queryset in kinds:
            results = queryset.search(query).order_by("-rank", "pk")
            rows = list(results[: RESULTS_PER_KIND + 1])
            groups.append(
                {
                    "label": label,
                    "key": key,
                    "results": rows[:RESULTS_PER_KIND],
                    "has_more": len(rows) > RESULTS_PER_KIND,
                }
            )
    total = sum(len(group["results"]) for group in groups)
    did_you_mean = ""
    if query and total < SUGGEST_BELOW:
        if not total:
            record_miss(query)
        did_you_mean = suggestion(query, [queryset for _, _, queryset in kinds])
    return render(
        request,
        "compendium/search.html",
        {
            "query": query,
            "groups": groups,
            "total": total,
            "did_you_mean": did_you_mean,
            "crumbs": [{"label": "Search"}],
        },
    )


@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def bad_request(request, exception=None):
    # What Django refuses before a view runs: more than 1,000 parameters, say.
    if is_api(request):
        return JsonResponse(
            {"detail": "This request could not be read; check its parameters."},
            status=400,
        )
    return defaults.bad_request(request, exception)


def page_not_found(request, exception=None):
    # Only our own sentences are shown; Django's internal 404 texts never are.
    message = str(exception) if isinstance(exception, PublicHttp404) else ""
    if is_api(request):
        return JsonResponse(
            {"detail": message or "There is nothing at this address."}, status=404
        )
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request):
    if is_api(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side; please try again later."},
            status=500,
        )
    return render(request, "500.html", status=500)


def is_api(request):
    """Whether the request is for the JSON API, whose every answer is JSON (the
    API's own views answer their errors; these handlers answer the rest)."""
    return request.path.startswith("/api/")
