"""Time the filtered list, its exports and the API list with one code tree, for a
before/after comparison of core.listing.index.listed_rows (issue 13):

    BENCH_CODE=/path/to/checkout DATABASE_URL=... python bench/pages.py [--repeat 3]

``BENCH_CODE`` (default: this checkout) is the tree whose code serves the requests;
``BENCH_SQL_ROWS=1`` filters in SQL as before (``listed_rows`` answers None), so
the same code is timed both ways back to back. Prints, per URL, the median
and min of ``--repeat`` warm runs (after one warm-up that also builds the index), the
SQL queries of one run and the rows or bytes it gave.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

CODE = Path(os.environ.get("BENCH_CODE", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(CODE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compendium.settings")
os.environ.setdefault("PAGE_CACHE", "0")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

URLS = [
    "/practices/?sector=financial&region=europe",
    "/practices/?sector=financial&region=europe&sort=newest&page=3",
    "/practices/export.csv?sector=financial&region=oceania&kind=worker-voice",
    "/practices/export.csv?sector=financial&region=oceania",
    "/practices/export.xlsx?sector=financial&region=oceania&kind=worker-voice",
    "/api/v1/practices/?page_size=100&sector=financial&region=europe",
    "/gaps/",
]


def run(client, url):
    started = time.perf_counter()
    response = client.get(url)
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return time.perf_counter() - started, response.status_code, len(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    client = Client()
    import core.listing.index as index

    if os.environ.get("BENCH_SQL_ROWS") == "1":
        # Before: the rows, the count and the exports filtered in SQL, as on main.
        index.listed_rows = lambda filterset: None
    print(f"code: {index.__file__}  load: {os.getloadavg()[0]:.1f}")
    for url in URLS:
        _, status, size = run(client, url)
        times = [run(client, url)[0] for _ in range(args.repeat)]
        print(
            f"{statistics.median(times) * 1000:9.0f} ms median "
            f"{min(times) * 1000:8.0f} min  "
            f"{status} {size:>9} B  {url}",
            flush=True,
        )


if __name__ == "__main__":
    main()
