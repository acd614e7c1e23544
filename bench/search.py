"""Time the searches of issue 13 cold (empty cache), query by query.

    python bench/search.py [--repeat 7] [--explain] [URL ...]

``/practices/?q=bank`` (about a third of the practices), ``?q=fintrac`` (about
2 %), the site search for both, and two searches that find nothing (so offer
"did you mean"): each page's median with an empty cache (the
in-process facet index kept, as after any first request), then its three slowest
queries with their share of the page. See bench/README.md, "Where ?q=bank spends
its time".
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compendium.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Plain static storage: no collectstatic needed for this script, at no cost to a page.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

URLS = (
    "/practices/?q=bank",
    "/practices/?q=fintrac",
    "/search/?q=bank",
    "/search/?q=fintrac",
    # Nothing found: the page offers "did you mean", from the words of the
    # published texts (core.search.vocabulary), built with the cache empty.
    "/practices/?q=fintrack",
    "/search/?q=banque",
)


def fetch(client, url):
    cache.clear()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return response


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("urls", nargs="*", help=f"pages to time (default {URLS})")
    args = parser.parse_args()
    client = Client()
    for url in args.urls or URLS:
        fetch(client, url)  # warm-up: the facet index, the connection, plans
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            fetch(client, url)
            times.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            fetch(client, url)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        print(
            f"{url:28} median {statistics.median(times):7.1f} ms"
            f"  min {min(times):7.1f}  max {max(times):7.1f}"
            f"  queries {len(queries.captured_queries)}"
        )
        for query in slowest:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
        if args.explain:
            with connection.cursor() as cursor:
                for query in slowest[:2]:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\n".join("      " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
