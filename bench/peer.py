"""Our public list and CSV export beside Datasette's, over the same published rows.

Run by bench/run.sh after the main benchmark (bench/README.md, "The peer"):

    python bench/peer.py [--repeat 5] [--datasette bench/.datasette-venv/bin/datasette]

1. Builds ``bench/results/peer-<database>.db``, one SQLite table ``practices`` of every
   published practice with the export's columns (multi-valued ones as JSON arrays),
   and an FTS5 index over title, summary and outcomes, unless the file already holds
   as many rows as there are published practices.
2. Serves it with Datasette (its own virtualenv; loopback only) and this project under
   gunicorn as deployed (deploy/gunicorn.conf.py, DEBUG off, no page cache), each
   with a pid file, stopped by that pid.
3. Requests the list with facets, the list filtered by two facets, a search and the
   full CSV from both, interleaved (ours, then Datasette's, --repeat times; the CSV
   --csv-repeat times), and prints the medians and their ratio, ours over
   Datasette's (below 1.0: we are faster). The pages are not warmed up first, so
   the first run of each is from an empty cache on both sides.
"""

import argparse
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compendium.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.utils.functional import Promise  # noqa: E402

from practices.export import PRACTICE_EXPORT  # noqa: E402
from practices.models import Practice  # noqa: E402

RESULTS = BASE_DIR / "bench" / "results"
OUR_PORT, PEER_PORT = 8771, 8772
#: Warm-up requests sent at once, enough to reach every gunicorn worker process.
WARM_UP_REQUESTS = 8
# The facets both sides count: ours are the list's own (all of them); Datasette's the
# same dimensions where the table has them (it has no partner type or year facet).
PEER_FACETS = (
    "_facet_array=sectors&_facet_array=regions&_facet_array=countries"
    "&_facet=kind&_facet_array=audiences&_facet_array=stages&_facet_array=tags"
)
# (label, our URL, Datasette's URL); Datasette pages of 20, as ours.
PAIRS = [
    ("list with facets", "/practices/", f"/{{db}}/practices?_size=20&{PEER_FACETS}"),
    (
        "two facets",
        "/practices/?sector=financial&region=europe",
        "/{db}/practices?_size=20&sectors__arraycontains=Financial+sector"
        f"&regions__arraycontains=Europe&{PEER_FACETS}",
    ),
    (
        "search q=bank",
        "/practices/?q=bank",
        f"/{{db}}/practices?_size=20&_search=bank&{PEER_FACETS}",
    ),
]
FULL_CSV = ("/practices/export.csv", "/{db}/practices.csv?_stream=on&_size=max")


def build(path):
    """Every published practice into ``path``, as Datasette users would load it."""
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
    columns = PRACTICE_EXPORT.columns(request)
    headers = [column.header for column in columns]
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE practices (id INTEGER PRIMARY KEY, "
        + ", ".join(f"[{header}]" for header in headers)
        + ")"
    )
    insert = f"INSERT INTO practices VALUES ({', '.join('?' * (len(headers) + 1))})"
    queryset = Practice.objects.published().order_by("title", "pk")
    batch = []
    for number, row in enumerate(PRACTICE_EXPORT.rows(queryset), start=1):
        values = []
        for column in columns:
            value = column.value(row)
            if column.type == list[str]:
                value = json.dumps([str(item) for item in value], ensure_ascii=False)
            elif isinstance(value, Promise):  # a translated label (provenance)
                value = str(value)
            values.append(value)
        batch.append((number, *values))
        if len(batch) == 5000:
            db.executemany(insert, batch)
            batch = []
    db.executemany(insert, batch)
    db.execute("CREATE INDEX practices_kind ON practices (kind)")
    db.execute(
        "CREATE VIRTUAL TABLE practices_fts USING fts5(title, summary, outcomes, "
        'content="practices", content_rowid="id")'
    )
    db.execute("INSERT INTO practices_fts (practices_fts) VALUES ('rebuild')")
    db.commit()
    db.execute("VACUUM")
    db.close()


def rows_in(path):
    if not path.exists():
        return -1
    try:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM practices").fetchone()[0]
    except sqlite3.Error:
        return -1


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def fetch(url):
    """Seconds to read the whole answer, and its size in bytes."""
    started = time.perf_counter()
    size = 0
    with urllib.request.urlopen(url, timeout=600) as response:
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
        while chunk := response.read(1 << 16):
            size += len(chunk)
    return time.perf_counter() - started, size


def start(command, pidfile, env=None):
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(pidfile.with_suffix(".log"), "w"),  # noqa: SIM115
    )
    pidfile.write_text(str(process.pid))
    return process


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def measure(args):
    published = Practice.objects.published().count()
    name = settings.DATABASES["default"]["NAME"]
    path = RESULTS / f"peer-{name}.db"
    RESULTS.mkdir(parents=True, exist_ok=True)
    if rows_in(path) != published:
        print(f"== Building {path.name}: {published:,} published practices", flush=True)
        build(path)

    bin_dir = Path(sys.executable).parent
    ours = start(
        [
            str(bin_dir / "gunicorn"),
            "--config",
            str(BASE_DIR / "deploy" / "gunicorn.conf.py"),
            "compendium.wsgi:application",
            "--bind",
            f"127.0.0.1:{OUR_PORT}",
            "--timeout",
            "600",
            "--control-socket",
            str(RESULTS / "peer-gunicorn.ctl"),
            "--access-logfile",
            "/dev/null",
        ],
        RESULTS / "peer-gunicorn.pid",
        # Every page rendered, as Datasette computes its own: no page cache.
        env=os.environ | {"ALLOWED_HOSTS": "127.0.0.1", "PAGE_CACHE": "0"},
    )
    peer = start(
        [
            args.datasette,
            "serve",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(PEER_PORT),
            "--immutable",
            str(path),
            *("--setting", "sql_time_limit_ms", "600000"),
            *("--setting", "facet_time_limit_ms", "600000"),
            *("--setting", "suggest_facets", "off"),
            # Datasette cuts a CSV at 100 MB unless told otherwise.
            *("--setting", "max_csv_mb", "0"),
        ],
        RESULTS / "peer-datasette.pid",
    )
    try:
        wait_for(f"http://127.0.0.1:{OUR_PORT}/healthz")
        wait_for(f"http://127.0.0.1:{PEER_PORT}/-/versions.json")
        results = {"published": published, "pages": {}}
        # Warm-up: imports, connections, the operating system's file cache, and in
        # every worker process its facet index (read on its first request, as
        # after a restart: bench/README.md); not the measured pages, so that each
        # is measured from an empty facet cache. Requests made at once reach every
        # process: one at a time, the first page measured could pay a worker's
        # index (about 1.2 s at 100,000 practices).
        with ThreadPoolExecutor(WARM_UP_REQUESTS) as pool:
            list(
                pool.map(
                    fetch,
                    [f"http://127.0.0.1:{OUR_PORT}/practices/?q=warm+up"]
                    * WARM_UP_REQUESTS,
                )
            )
        fetch(f"http://127.0.0.1:{PEER_PORT}/{path.stem}/practices?_size=1")
        pairs = [(label, a, b, False) for label, a, b in PAIRS]
        pairs.append(("full CSV", *FULL_CSV, True))
        for label, our_url, peer_url, is_csv in pairs:
            our_url = f"http://127.0.0.1:{OUR_PORT}{our_url}"
            peer_url = f"http://127.0.0.1:{PEER_PORT}" + peer_url.replace(
                "{db}", path.stem
            )
            repeat = args.csv_repeat if is_csv else args.repeat
            times = {"ours": [], "peer": []}
            sizes = {}
            for _ in range(repeat):
                for side, url in (("ours", our_url), ("peer", peer_url)):
                    seconds, sizes[side] = fetch(url)
                    times[side].append(seconds)
            entry = {
                side: {
                    "median_ms": round(statistics.median(values) * 1000, 1),
                    "min_ms": round(min(values) * 1000, 1),
                    "max_ms": round(max(values) * 1000, 1),
                    "bytes": sizes[side],
                }
                for side, values in times.items()
            }
            entry["ratio"] = round(
                entry["ours"]["median_ms"] / entry["peer"]["median_ms"], 2
            )
            if is_csv:
                for side in ("ours", "peer"):
                    entry[side]["rows_per_s"] = round(
                        published / (entry[side]["median_ms"] / 1000)
                    )
            results["pages"][label] = entry
            print(
                f"  {label}: ours {entry['ours']['median_ms']:.0f} ms, "
                f"Datasette {entry['peer']['median_ms']:.0f} ms",
                flush=True,
            )
        return results
    finally:
        stop(ours)
        stop(peer)


def print_table(results):
    print()
    print(f"Against Datasette, {results['published']:,} published practices:")
    header = f"{'page':<20}{'ours ms':>10}{'Datasette':>11}{'ours/theirs':>13}"
    print(header)
    print("-" * len(header))
    for label, entry in results["pages"].items():
        print(
            f"{label:<20}{entry['ours']['median_ms']:>10.0f}"
            f"{entry['peer']['median_ms']:>11.0f}{entry['ratio']:>13.2f}"
        )
    csv = results["pages"]["full CSV"]
    ours, peer = csv["ours"]["rows_per_s"], csv["peer"]["rows_per_s"]
    verdict = "ok" if ours >= peer else "MISSED (target >= 1.0x)"
    print(
        f"full CSV, rows a second: ours {ours:,}, Datasette {peer:,}: "
        f"{ours / peer:.2f}x {verdict}; {csv['ours']['bytes'] / 1e6:.1f} MB "
        f"against {csv['peer']['bytes'] / 1e6:.1f} MB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Datasette counts an array facet in about 2-17 s at 94,000 rows (json_each over
    # every row): seven of them make a run of the three pages take minutes.
    parser.add_argument("--repeat", type=int, default=1, help="runs of each page")
    parser.add_argument("--csv-repeat", type=int, default=2, help="full CSV runs")
    parser.add_argument(
        "--datasette",
        default=str(BASE_DIR / "bench" / ".datasette-venv" / "bin" / "datasette"),
    )
    parser.add_argument("--output")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The peer benchmark reads PostgreSQL: set DATABASE_URL.")
    results = measure(args)
    print_table(results)
    output = args.output or RESULTS / f"peer-{time.strftime('%Y-%m-%d-%H%M')}.json"
    Path(output).write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    main()
