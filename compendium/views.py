"""Site-wide pages that belong to no app: home, about, cross-content search, health."""

import sys

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.errors import PublicHttp404, is_database_unavailable
from core.listing.chips import active_chips, chosen_labels, describe
from core.listing.crosstab import cross_table
from core.listing.csv import csv_response
from core.listing.params import clean_params, query_string
from core.listing.views import unknown_language, use_data_language
from core.models import ContentVersion
from core.search import (
    SUGGEST_BELOW,
    clean_query,
    index_scans,
    record_miss,
    suggestion,
)
from partnerships.models import ActionPoint, Insight, Meeting, Strategy
from partnerships.views import ActionPointListView
from practices.filters import published_counts
from practices.models import (
    Audience,
    LessonLearned,
    Maturity,
    Organisation,
    Practice,
    Sector,
    provenance_summary,
)
from practices.views import PracticeListView

RECENT_PRACTICES = 6
RESULTS_PER_KIND = 10
#: Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


@require_safe
def home(request):
    counts = published_counts("sector", "provenance")
    sectors = list(Sector.objects.order_by("order", "name"))
    for sector in sectors:
        sector.practice_count = counts["sector"].get(sector.pk, 0)
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
            "audiences": Audience.objects.order_by("order", "name"),
            "recent_practices": recent,
            "provenance_counts": provenance_summary(counts["provenance"]),
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
        {
            "meetings": meetings,
            "crumbs": [{"label": _("About")}],
            "provenance_counts": provenance_summary(
                published_counts("provenance")["provenance"]
            ),
            "maturity_labels": list(Maturity),
        },
    )


@require_safe
def site_search(request):
    """One search over every kind of public content, grouped by kind."""
    query = clean_query(request.GET.get("q", ""))
    groups = []
    if query:
        kinds = [
            (
                _("Practices"),
                "practices",
                Practice.objects.published()
                .select_related("kind")
                .prefetch_related("sectors"),
            ),
            (
                _("Action points"),
                "action_points",
                ActionPoint.objects.published().select_related("audience", "sector"),
            ),
            (
                _("Recommended strategies"),
                "strategies",
                Strategy.objects.published().select_related("sector", "meeting"),
            ),
            (
                _("Lessons learned"),
                "lessons",
                LessonLearned.objects.published().select_related("sector"),
            ),
            (
                _("Meeting insights"),
                "insights",
                Insight.objects.published().select_related("meeting"),
            ),
            (_("Meetings"), "meetings", Meeting.objects.published()),
            (
                _("Organisations"),
                "organisations",
                Organisation.objects.published(),
            ),
        ]
        # Each kind's rows matched through its search index, where it has one.
        with index_scans():
            for label, key, queryset in kinds:
                rows = list(queryset.best_matches(query, RESULTS_PER_KIND + 1))
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
            "crumbs": [{"label": _("Search")}],
        },
    )


# The gap matrix: (slug, caption, list view, its URL name, across, down).
GAP_TABLES = (
    (
        "sector-region",
        _("Published practices by region and sector"),
        PracticeListView,
        "practices:list",
        "sector",
        "region",
    ),
    (
        "sector-stage",
        _("Published practices by trafficking stage and sector"),
        PracticeListView,
        "practices:list",
        "sector",
        "stage",
    ),
    (
        "sector-partner-type",
        _("Published practices by partner type and sector"),
        PracticeListView,
        "practices:list",
        "sector",
        "partner_type",
    ),
    (
        "audience-sector",
        _("Published action points by audience and sector"),
        ActionPointListView,
        "partnerships:action_point_list",
        "sector",
        "audience",
    ),
)


def gap_tables(request, only=None):
    """The gap matrix's tables for this request's filters (each list's own)."""
    tables = []
    for slug, caption, view, url_name, across, down in GAP_TABLES:
        if only and slug != only:
            continue
        filterset_class = view.filterset_class
        tables.append(
            cross_table(
                filterset_class,
                request.GET,
                across=across,
                down=down,
                slug=slug,
                caption=caption,
                noun=view.noun,
                list_url=reverse(url_name),
                queryset=filterset_class._meta.model._default_manager.published(),
            )
        )
    return tables


@require_safe
def gaps(request):
    """Where practices and action points exist, and where none does yet: counts of
    published content per pair of facets, each linking to the list it counts."""
    tables = gap_tables(request)
    practice_filters = describe_filters(PracticeListView, request)
    params = clean_params(request.GET)
    query = query_string(params)
    return render(
        request,
        "compendium/gaps.html",
        {
            "tables": tables,
            "practice_filters": practice_filters,
            "query": "" if query == "?" else query,
            "params": params,
            "search_query": clean_query(params.get("q", "")),
            "filter_messages": {
                name: texts
                for table in tables
                for name, texts in table.messages.items()
            },
            "crumbs": [{"label": _("Gap matrix")}],
        },
    )


def describe_filters(view, request):
    """The practice list's description of the filters the request names, or ""."""
    filterset = view.filterset_class(
        request.GET, queryset=view.filterset_class._meta.model.objects.published()
    )
    chips = active_chips(filterset, chosen_labels(filterset))
    if not chips and not filterset.search_query:
        return ""
    return describe(filterset.count(), view.noun, filterset.search_query, chips)


@require_safe
def gaps_export(request, table, renderer):
    """One table of the gap matrix as CSV or JSON, for the same filters."""
    if not use_data_language(request):
        return unknown_language()
    found = gap_tables(request, only=table)
    if not found:
        raise PublicHttp404("The gap matrix has no table of that name.")
    (crosstab,) = found
    if renderer == "csv":
        return csv_response(crosstab.rows, crosstab.export_columns(), f"gaps-{table}")
    return JsonResponse(
        crosstab.as_json(request.build_absolute_uri),
        json_dumps_params={"ensure_ascii": False},
    )


#: Pages crawlers have no use for: the editors' admin, the site search's result
#: pages (the lists and the sitemap reach every page) and a comparison of picks.
UNCRAWLED = ("admin:index", "search", "practices:compare")


@require_safe
def robots_txt(request):
    """Crawlers may read every public page but those in UNCRAWLED and the exports
    (each list's data in other formats; the lists themselves are crawled), in
    every interface language; the sitemap is named by its full address."""
    disallowed = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for name in UNCRAWLED:
                path = reverse(name)
                if path not in disallowed:
                    disallowed.append(path)
    return render(
        request,
        "robots.txt",
        {
            "disallowed": disallowed,
            "sitemap_url": request.build_absolute_uri(reverse("sitemap")),
        },
        content_type="text/plain; charset=utf-8",
    )


@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    # A table of ours, not "SELECT 1": an emptied or replaced SQLite file still
    # answers that, and every page would fail.
    try:
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(ContentVersion._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
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
    if is_database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
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


def service_unavailable(request):
    """503 while the database is unreachable: rendered without it (no context
    processors, no session, no user), never stored by any cache, with Retry-After."""
    if is_api(request):
        response = JsonResponse(
            {"detail": "Temporarily unavailable; please try again in a minute."},
            status=503,
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
