"""Time the public list against the Django admin, the SQL floor, search and CSV export.

Run by bench/run.sh with DEBUG off against a database made by bench/generate.py:

    python bench/measure.py [--repeat 7] [--small-counts FILE]
    python bench/measure.py --query-counts-only --output FILE
    python bench/measure.py --export-worker     (a child process: export memory)
    python bench/measure.py --public-only [--target-ms 250]   (any database, SQLite too)

Pages are requested in-process through Django's test client, the admin ones as a
signed-in superuser. Every figure is the median of --repeat timed runs after one
warm-up run, with min, max and the interquartile range beside it.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compendium.settings")
# Pages are rendered every time (the page cache would answer the warm runs); what the
# page cache gives a server is bench/load.sh's to show.
os.environ.setdefault("PAGE_CACHE", "0")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.rss import PeakRSS  # noqa: E402
from core.search import index_scans  # noqa: E402
from practices.models import Practice, Region, Sector  # noqa: E402

EXPORT_URL = "/practices/export.csv"
#: The full-text indexes a search may read: the practices' and their search rows'.
GIN_INDEXES = ("practice_search_gin", "practice_search_row_gin")
SERVER_SIDE_CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(OUT)? HOLD ')
# The JSON API's practice list, a page of 100 (its largest), against the HTML list.
API_LIST_URL = "/api/v1/practices/?page_size=100"
# Partnership composition: practices with a financial intelligence unit and a bank.
LIST_WITH_URL = (
    "/practices/?with=financial_intelligence_unit&with=financial_institution"
)
COPY_SQL = """
SELECT p.title,
  'http://testserver/practices/' || p.slug || '/',
  (SELECT string_agg(s.name, '; ' ORDER BY s."order", s.name)
     FROM practices_practice_sectors x JOIN practices_sector s ON s.id = x.sector_id
    WHERE x.practice_id = p.id),
  (SELECT string_agg(c.name, '; ' ORDER BY c.name)
     FROM practices_practice_countries x JOIN practices_country c ON c.id = x.country_id
    WHERE x.practice_id = p.id),
  (SELECT string_agg(r.name, '; ' ORDER BY r."order", r.name)
     FROM practices_practice_regions x JOIN practices_region r ON r.id = x.region_id
    WHERE x.practice_id = p.id),
  k.name,
  (SELECT string_agg(o.name || ' (' || o.type || ', ' || pp.role || ')', '; '
                     ORDER BY pp."order", pp.id)
     FROM partnerships_practicepartner pp
     JOIN partnerships_organisation o ON o.id = pp.organisation_id
    WHERE pp.practice_id = p.id),
  (SELECT string_agg(a.name, '; ' ORDER BY a."order", a.name)
     FROM practices_practice_audiences x
     JOIN practices_audience a ON a.id = x.audience_id
    WHERE x.practice_id = p.id),
  (SELECT string_agg(s.name, '; ' ORDER BY s."order", s.name)
     FROM practices_practice_stages x JOIN practices_stage s ON s.id = x.stage_id
    WHERE x.practice_id = p.id),
  (SELECT string_agg(t.name, '; ' ORDER BY t.name)
     FROM taggit_taggeditem ti JOIN taggit_tag t ON t.id = ti.tag_id
    WHERE ti.object_id = p.id AND ti.content_type_id = %(ct)s),
  p.start_year, p.end_year, p.summary, p.outcomes, p.provenance,
  (SELECT string_agg(src.url, '; ' ORDER BY src."order", src.id)
     FROM practices_practicesource src WHERE src.practice_id = p.id)
FROM practices_practice p JOIN practices_partnershipkind k ON k.id = p.kind_id
WHERE p.status = 'published'
ORDER BY p.title, p.id
"""


def summarise(times):
    ms = sorted(t * 1000 for t in times)
    q1, _, q3 = statistics.quantiles(ms, n=4) if len(ms) > 1 else (ms[0],) * 3
    return {
        "median_ms": round(statistics.median(ms), 1),
        "min_ms": round(ms[0], 1),
        "max_ms": round(ms[-1], 1),
        "iqr_ms": round(q3 - q1, 1),
        "runs": len(ms),
    }


def timed(action, repeat):
    action()  # warm-up: caches, connection, query plans
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return summarise(times)


def fetch(client, url, cold=False):
    if cold:
        cache.clear()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    return size


def captured_sql(client, url, cold=False):
    with CaptureQueriesContext(connection) as context:
        fetch(client, url, cold)
    return [query["sql"] for query in context.captured_queries]


def run_sql(queries):
    with connection.cursor() as cursor:
        for sql in queries:
            # A server-side cursor (QuerySet.iterator) is logged as its DECLARE only,
            # which cannot be declared twice: run and fetch its SELECT instead.
            if SERVER_SIDE_CURSOR.match(sql):
                sql = SERVER_SIDE_CURSOR.sub("", sql, count=1).removeprefix("FOR ")
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()


def admin_client():
    user, created = get_user_model().objects.get_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "b@example.org"},
    )
    client = Client()
    client.force_login(user)
    return client


def pages():
    """(key, label, url, admin?) for every page measured or counted.

    Public pages start from an empty cache on every run (cold), so the facet cache
    does not flatter them; the "cached" rows repeat the lists with the cache kept.
    """
    financial = Sector.objects.get(slug="financial")
    europe = Region.objects.get(slug="europe")
    detail = (
        Practice.objects.published()
        .filter(slug__startswith="bench-practice-")
        .order_by("pk")
        .first()
    )
    admin = "/admin/practices/practice/"
    return [
        ("list_all", "list, no filter", "/practices/", False),
        (
            "list_facets",
            "list, sector+region",
            "/practices/?sector=financial&region=europe",
            False,
        ),
        ("list_search", "list, q=bank", "/practices/?q=bank", False),
        # A page in another language also matches the texts written in it.
        ("list_search_fr", "list, q=banque, French", "/fr/practices/?q=banque", False),
        ("list_with", "list, with=FIU+bank", LIST_WITH_URL, False),
        ("gaps", "gap matrix", "/gaps/", False),
        (
            "gaps_with",
            "gap matrix, with=bank",
            "/gaps/?with=financial_institution",
            False,
        ),
        ("api_list", "API list, 100 per page", API_LIST_URL, False),
        ("cached_all", "list, no filter, cached", "/practices/", False),
        (
            "cached_facets",
            "list, facets, cached",
            "/practices/?sector=financial&region=europe",
            False,
        ),
        ("cached_search", "list, q=bank, cached", "/practices/?q=bank", False),
        ("admin_all", "admin, no filter", f"{admin}?_facets=1", True),
        (
            "admin_facets",
            "admin, sector+region",
            f"{admin}?_facets=1&sectors__id__exact={financial.pk}"
            f"&regions__id__exact={europe.pk}",
            True,
        ),
        ("admin_search", "admin, q=bank", f"{admin}?q=bank&_facets=1", True),
        ("home", "home", "/", False),
        ("detail", "practice detail", detail.get_absolute_url(), False),
        ("sector", "sector page", "/sectors/financial/", False),
        ("site_search", "site search q=bank", "/search/?q=bank", False),
        ("action_points", "action points", "/action-points/", False),
        ("organisations", "organisations", "/organisations/", False),
    ]


def query_counts():
    public, admin = Client(), admin_client()
    counts = {}
    for key, _, url, is_admin in pages():
        cold = not key.startswith("cached_")
        if not cold:
            fetch(public, url)
        counts[key] = len(captured_sql(admin if is_admin else public, url, cold))
    return counts


def explain_search(client, terms=("bank", "fintrac")):
    """EXPLAIN ANALYZE every full-text query the search list runs, per search term.

    "bank" matches about a third of the practices, where a sequential scan is the
    better plan; "fintrac" (one partner's name) matches about 2 %, where the GIN index
    must be used.
    """
    plans = []
    for term in terms:
        plans.extend(_explain(client, term))
    return plans


def _explain(client, term):
    plans = []
    for sql in captured_sql(client, f"/practices/?q={term}", cold=True):
        if "@@" not in sql:
            continue
        # As the page runs it (core.search.index_scans).
        with index_scans(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plans.append(
            {
                "term": term,
                "sql": sql[:300],
                # The practices' GIN index, or their search rows' (0017).
                "uses_gin": any(name in plan for name in GIN_INDEXES),
                "plan": plan,
            }
        )
    return plans


def export_worker():
    """In its own process: export every practice, report time and memory growth."""
    client = Client()
    fetch(client, EXPORT_URL + "?q=zzzznothing")  # imports, connection, templates

    times, size = [], 0
    with PeakRSS() as memory:
        for _ in range(int(os.environ.get("BENCH_EXPORT_REPEAT", "2"))):
            started = time.perf_counter()
            size = fetch(client, EXPORT_URL)
            times.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "export": summarise(times),
                "bytes": size,
                "idle_rss_mb": round(memory.idle_kb / 1024, 1),
                "peak_rss_mb": round(memory.peak_kb / 1024, 1),
                "peak_above_idle_mb": round(
                    (memory.peak_kb - memory.idle_kb) / 1024, 1
                ),
            }
        )
    )


def copy_baseline(repeat):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Practice).pk
    sql = " ".join((COPY_SQL % {"ct": ct}).split())
    url = os.environ["DATABASE_URL"]

    def run():
        subprocess.run(
            ["psql", url, "-qc", f"\\copy ({sql}) TO STDOUT WITH CSV HEADER"],
            stdout=subprocess.DEVNULL,
            check=True,
        )

    return timed(run, repeat)


def server_facts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "postgresql": version,
        "shared_buffers": buffers,
        "work_mem": work_mem,
        "practices": Practice.objects.count(),
        "published": Practice.objects.published().count(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
    }


def measure(args):
    public, admin = Client(), admin_client()
    results = {"facts": server_facts(), "pages": {}}
    small = {}
    if args.small_counts:
        small = json.loads(Path(args.small_counts).read_text())
    results["facts"]["small_practices"] = small.get("practices")

    for key, label, url, is_admin in pages():
        client = admin if is_admin else public
        cold = not key.startswith("cached_")
        if not cold:
            fetch(client, url)
        queries = captured_sql(client, url, cold)
        entry = {
            "label": label,
            "url": url,
            "cache": "cold" if cold else "warm",
            "queries": len(queries),
            "queries_small": small.get("counts", {}).get(key),
            "page": timed(lambda c=client, u=url, k=cold: fetch(c, u, k), args.repeat),
            "sql": timed(lambda q=queries: run_sql(q), args.repeat),
        }
        entry["page_over_sql"] = round(
            entry["page"]["median_ms"] / max(entry["sql"]["median_ms"], 0.1), 2
        )
        results["pages"][key] = entry
        print(f"  {label}: {entry['page']['median_ms']} ms", flush=True)

    results["ratios"] = {
        f"{name}, {cache_state}": round(
            results["pages"][f"{prefix}_{name}"]["page"]["median_ms"]
            / results["pages"][f"admin_{name}"]["page"]["median_ms"],
            2,
        )
        for name in ("all", "facets", "search")
        for prefix, cache_state in (("list", "cold"), ("cached", "warm"))
    }
    results["api_over_html"] = round(
        results["pages"]["api_list"]["page"]["median_ms"]
        / results["pages"]["list_all"]["page"]["median_ms"],
        2,
    )
    results["search_explain"] = explain_search(public)

    worker = subprocess.run(
        [sys.executable, __file__, "--export-worker"],
        capture_output=True,
        text=True,
        check=True,
    )
    results["export"] = json.loads(worker.stdout.strip().splitlines()[-1])
    results["export"]["copy"] = copy_baseline(max(3, args.repeat // 2))
    results["export"]["export_over_copy"] = round(
        results["export"]["export"]["median_ms"]
        / results["export"]["copy"]["median_ms"],
        2,
    )
    return results


def measure_public(args):
    """Every public page, cold, on the database in use (the embedded SQLite too)."""
    client = Client()
    print(
        f"{Practice.objects.count():,} practices "
        f"({Practice.objects.published().count():,} published) on {connection.vendor}"
    )
    header = f"{'page':<26}{'median':>9}{'min':>8}{'max':>8}{'queries':>9}"
    print(header)
    print("-" * len(header))
    results, missed = {}, []
    for key, label, url, is_admin in pages():
        if is_admin or key.startswith("cached_"):
            continue
        queries = len(captured_sql(client, url, cold=True))
        page = timed(lambda u=url: fetch(client, u, cold=True), args.repeat)
        results[key] = {"label": label, "url": url, "queries": queries, "page": page}
        if page["median_ms"] > args.target_ms:
            missed.append(label)
        print(
            f"{label:<26}{page['median_ms']:>9.1f}{page['min_ms']:>8.1f}"
            f"{page['max_ms']:>8.1f}{queries:>9}",
            flush=True,
        )
    print(
        f"(ms, cold cache; target <= {args.target_ms} ms: "
        + (f"MISSED by {', '.join(missed)})" if missed else "met)")
    )
    return results


def print_table(results):
    facts = results["facts"]
    print()
    print(
        f"{facts['practices']:,} practices ({facts['published']:,} published), "
        f"{facts['cores']} cores, PostgreSQL {facts['postgresql']}, "
        f"Django {facts['django']}"
    )
    small_n = facts.get("small_practices") or "small"
    header = (
        f"{'page':<24}{'median':>9}{'min':>8}{'max':>8}{'IQR':>7}"
        f"{'SQL':>8}{'page/SQL':>9}{'queries':>9}{f'@{small_n}':>8}"
    )
    print(header)
    print("-" * len(header))
    for entry in results["pages"].values():
        page, sql = entry["page"], entry["sql"]
        small = entry["queries_small"]
        print(
            f"{entry['label']:<24}{page['median_ms']:>9.1f}{page['min_ms']:>8.1f}"
            f"{page['max_ms']:>8.1f}{page['iqr_ms']:>7.1f}{sql['median_ms']:>8.1f}"
            f"{entry['page_over_sql']:>9.2f}{entry['queries']:>9}"
            f"{small if small is not None else '-':>8}"
        )
    print("(times in ms; SQL = the page's own queries re-run on a raw cursor)")
    print()
    for name, ratio in results["ratios"].items():
        verdict = "ok" if ratio <= 1.0 else "MISSED (target <= 1.0)"
        print(f"public/admin, {name:<14} {ratio:>6.2f}  {verdict}")
    api = results["pages"]["api_list"]["page"]["median_ms"]
    print(
        f"API list ({API_LIST_URL}) {api:.0f} ms cold, "
        f"API/HTML list {results['api_over_html']:.2f}"
    )
    equal = all(
        entry["queries"] == entry["queries_small"]
        for entry in results["pages"].values()
        if entry["queries_small"] is not None
    )
    print(f"query counts equal at {small_n} and {facts['practices']:,}: {equal}")
    for term in dict.fromkeys(plan["term"] for plan in results["search_explain"]):
        plans = [plan for plan in results["search_explain"] if plan["term"] == term]
        used = sum(plan["uses_gin"] for plan in plans)
        times = [plan["plan"].strip().splitlines()[-1].split(": ")[1] for plan in plans]
        print(
            f"q={term}: a search GIN index in {used} of {len(plans)} full-text "
            f"queries; execution times {', '.join(times)}"
        )
    export = results["export"]
    timing = export["export"]
    rows_per_s = facts["published"] / (timing["median_ms"] / 1000)
    print(
        f"CSV export {timing['median_ms']:.0f} ms, {rows_per_s:,.0f} rows/s "
        f"(min {timing['min_ms']:.0f}, max {timing['max_ms']:.0f}), "
        f"psql \\copy {export['copy']['median_ms']:.0f} ms: "
        f"{export['export_over_copy']:.2f}x (target <= 3)"
    )
    print(
        f"CSV export memory: idle {export['idle_rss_mb']} MB, peak "
        f"{export['peak_rss_mb']} MB, {export['peak_above_idle_mb']} MB above idle "
        f"(target < 64), {export['bytes'] / 1e6:.1f} MB of CSV"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--small-counts")
    parser.add_argument("--query-counts-only", action="store_true")
    parser.add_argument("--output")
    parser.add_argument("--export-worker", action="store_true")
    parser.add_argument("--explain-only", action="store_true")
    parser.add_argument("--public-only", action="store_true")
    parser.add_argument("--target-ms", type=float, default=250)
    args = parser.parse_args()
    if args.public_only:
        results = measure_public(args)
        if args.output:
            Path(args.output).write_text(json.dumps(results, indent=2))
        return
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL.")

    if args.export_worker:
        export_worker()
        return
    if args.explain_only:
        for plan in explain_search(Client()):
            print(
                f"== q={plan['term']}, uses GIN: {plan['uses_gin']}\n{plan['plan']}\n"
            )
        return
    if args.query_counts_only:
        data = {"practices": Practice.objects.count(), "counts": query_counts()}
        Path(args.output).write_text(json.dumps(data, indent=2))
        print(json.dumps(data))
        return

    results = measure(args)
    print_table(results)
    output = args.output or (
        BASE_DIR / "bench" / "results" / f"bench-{datetime.now():%Y-%m-%d-%H%M}.json"
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
