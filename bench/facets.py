"""Facet counts in SQL against the in-process index (core.listing.index), at scale.

    DATABASE_URL=postgres://.../compendium_bench python bench/facets.py [--repeat 5]

For each list below: the time to count every facet of its FilterSet in SQL (each
facet's ``counts()``) and from the index (``counted()``, the index already built),
checked to be the very same counts; then the whole page, facet-count cache empty,
with the index off (``FACET_INDEX=0``: SQL counting, as before the index) and on;
then what an edit costs (the next page after a bare version bump, which reads the
index afresh, and after a publish, an unpublish or a relation change, which catch it
up from the change log) and the memory the index holds (resident memory before and
after building every list's index).
Medians of --repeat runs after one warm-up, in ms.
"""

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compendium.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault(
    "SECRET_KEY", "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuv"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402

from bench.rss import rss_kb  # noqa: E402
from core.listing import index  # noqa: E402
from core.listing.cache import bump_content_version  # noqa: E402
from core.models import Status  # noqa: E402
from partnerships.filters import ActionPointFilterSet, MeetingFilterSet  # noqa: E402
from practices.filters import (  # noqa: E402
    LessonFilterSet,
    OrganisationFilterSet,
    PracticeFilterSet,
)
from practices.models import Practice, Sector  # noqa: E402

LISTS = [
    ("list, no filter", "/practices/", PracticeFilterSet, ""),
    (
        "list, sector+region",
        "/practices/?sector=financial&region=europe",
        PracticeFilterSet,
        "sector=financial&region=europe",
    ),
    ("list, q=bank", "/practices/?q=bank", PracticeFilterSet, "q=bank"),
    (
        "list, with=FIU+bank",
        "/practices/?with=financial_intelligence_unit&with=financial_institution",
        PracticeFilterSet,
        "with=financial_intelligence_unit&with=financial_institution",
    ),
    ("gap matrix", "/gaps/", None, None),
    ("organisations", "/organisations/", OrganisationFilterSet, ""),
    ("action points", "/action-points/", ActionPointFilterSet, ""),
    ("meetings", "/meetings/", MeetingFilterSet, ""),
    ("lessons", "/lessons/", LessonFilterSet, ""),
]


def median_ms(action, repeat):
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1)


def filterset(filterset_class, query):
    model = filterset_class._meta.model
    return filterset_class(
        QueryDict(query), queryset=model._default_manager.published()
    )


def sql_counts(filterset_class, query):
    found = filterset(filterset_class, query)
    return [facet.counts(found) for facet in found.facets]


def index_counts(filterset_class, query):
    found = filterset(filterset_class, query)
    return [facet.counted(found) for facet in found.facets]


def page(client, url):
    cache.clear()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-sql", action="store_true", help="index figures only")
    parser.add_argument(
        "--edits-only", action="store_true", help="what an edit costs, nothing else"
    )
    parser.add_argument("--output", help="JSON file of the figures (bench/targets.py)")
    args = parser.parse_args()
    client = Client()
    results = {}
    if args.edits_only:
        page(client, "/practices/")
        page(client, LISTS[1][1])
        results["after_an_edit"] = edit_costs(client, args.repeat)
        return written(results, args.output)

    # Memory first, in a process that has served every page once without the index.
    settings.FACET_INDEX = False
    for _, url, _, _ in LISTS:
        page(client, url)
    gc.collect()
    idle = rss_kb()
    settings.FACET_INDEX = True
    started = time.perf_counter()
    for _, url, _, _ in LISTS:
        page(client, url)
    built = time.perf_counter() - started
    gc.collect()
    results["index_memory_mb"] = round((rss_kb() - idle) / 1024, 1)
    results["first_requests_with_index_ms"] = round(built * 1000)
    print(
        f"index of every list: {results['index_memory_mb']} MB above the process "
        f"without it; the {len(LISTS)} pages that built it: {built * 1000:.0f} ms"
    )

    for label, url, filterset_class, query in LISTS:
        row = {}
        if filterset_class is not None:
            settings.FACET_INDEX = True
            row["facets_index_ms"] = median_ms(
                lambda f=filterset_class, q=query: index_counts(f, q),
                args.repeat,
            )
            if not args.skip_sql:
                expected = sql_counts(filterset_class, query)
                if index_counts(filterset_class, query) != expected:
                    raise SystemExit(f"{label}: the index counts differ from SQL")
                row["facets_sql_ms"] = median_ms(
                    lambda f=filterset_class, q=query: sql_counts(f, q),
                    args.repeat,
                )
        if not args.skip_sql:
            settings.FACET_INDEX = False
            row["page_sql_ms"] = median_ms(
                lambda u=url: page(client, u),
                args.repeat,
            )
        settings.FACET_INDEX = True
        row["page_index_ms"] = median_ms(
            lambda u=url: page(client, u),
            args.repeat,
        )
        results[label] = row
        print(f"{label}: {json.dumps(row)}")

    # What an edit costs. Before the change log: any bump read the whole index
    # again (a bare bump still does); now an edit through the ORM names its rows
    # and the next page catches the index up from them.
    def after_a_bare_bump():
        bump_content_version()
        page(client, "/practices/")

    settings.FACET_INDEX = True
    results["page_after_a_bare_bump_ms"] = median_ms(after_a_bare_bump, args.repeat)
    print(f"/practices/ after a bare bump: {results['page_after_a_bare_bump_ms']} ms")
    results["after_an_edit"] = edit_costs(client, args.repeat)
    index.clear()
    return written(results, args.output)


def written(results, output):
    if output:
        Path(output).write_text(json.dumps(results, indent=2))
    return results


def edit_costs(client, repeat):
    """The next page after each kind of edit of one practice, in ms, checking that
    the counts are then those of SQL; the practice is left as it was."""
    practice = Practice.objects.published().order_by("pk").first()
    sector = Sector.objects.exclude(practices=practice).order_by("pk").first()
    state = {"n": 0}

    def toggle_status():
        state["n"] += 1
        practice.status = Status.DRAFT if state["n"] % 2 else Status.PUBLISHED
        practice.save()

    def toggle_sector():
        state["n"] += 1
        if state["n"] % 2:
            practice.sectors.add(sector)
        else:
            practice.sectors.remove(sector)

    found = {}
    for edit_label, edit in (
        ("unpublish/publish", toggle_status),
        ("sector added/removed", toggle_sector),
    ):
        for label, url, query in (
            ("list", "/practices/", ""),
            ("sector+region", LISTS[1][1], LISTS[1][3]),
        ):
            state["n"] = 0
            name = f"{edit_label}, then {label}"
            times = []
            for _ in range(repeat):
                edit()  # the save itself is not timed: the page after it is
                started = time.perf_counter()
                page(client, url)
                times.append(time.perf_counter() - started)
            found[name] = round(statistics.median(times) * 1000, 1)
            if state["n"] % 2:  # the practice as it was, then compare with SQL
                edit()
                page(client, url)
            expected = sql_counts(PracticeFilterSet, query)
            if index_counts(PracticeFilterSet, query) != expected:
                raise SystemExit(f"{name}: the index counts differ from SQL")
            print(f"{name}: {found[name]} ms")
    return found


if __name__ == "__main__":
    main()
