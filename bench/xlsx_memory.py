"""Memory and time of the XLSX writer for a large export, without a database.

    python bench/xlsx_memory.py [--rows 100000] [--tracemalloc]

Streams synthetic rows shaped like the practices export (16 columns: a 600-character
summary, lists of partners and sources, accented and Arabic names) through
``core.listing.xlsx.xlsx_response``, reads the whole response and closes it. Prints
the peak RSS above the idle RSS (VmRSS sampled every 5 ms, and ``ru_maxrss``), the
time to build the workbook and to stream it, and the file size. ``--tracemalloc``
also reports the peak of Python allocations, at the cost of a much slower run.
"""

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from django.conf import settings  # noqa: E402

settings.configure()

from bench.rss import PeakRSS  # noqa: E402
from core.listing.csv import Column  # noqa: E402
from core.listing.xlsx import xlsx_response  # noqa: E402

HEADERS = [
    "title",
    "url",
    "sectors",
    "countries",
    "regions",
    "kind",
    "partners",
    "audiences",
    "stages",
    "tags",
    "start_year",
    "end_year",
    "summary",
    "outcomes",
    "provenance",
    "sources",
]
WORDS = [
    "supplier",
    "audit",
    "factory",
    "garment",
    "seafood",
    "cocoa",
    "recruitment",
    "fees",
    "wages",
    "bank",
    "transaction",
    "suspicious",
    "report",
    "intelligence",
    "red",
    "flags",
    "platform",
    "moderation",
    "advertisement",
    "survivors",
    "shelter",
    "hotline",
    "inspection",
    "grievance",
    "migrant",
    "workers",
]
COUNTRIES = ["Côte d'Ivoire", "Nigeria", "Brazil", "Türkiye", "Viet Nam", "Canada"]
PARTNERS = [
    "Ghana Financial Intelligence Centre (Financial intelligence unit, lead)",
    "Banco do Brasil (Financial institution, partner)",
    "Association São Paulo (Civil-society organisation, partner)",
    "منظمة مكافحة الاتجار بالبشر (Civil-society organisation, partner)",
]


def text(rng, length):
    words, size = [], 0
    while size < length:
        words.append(rng.choice(WORDS))
        size += len(words[-1]) + 1
    return " ".join(words)[:length]


def pool(length, size=500, seed=1):
    rng = random.Random(seed)
    return [text(rng, length) for _ in range(size)]


# Drawn from pools made once, so that the time measured is the writer's.
TITLES, SUMMARIES, OUTCOMES = pool(70), pool(600), pool(300)


def synthetic_rows(count, seed=7):
    """Yield ``count`` dicts, made as they are needed so the source holds nothing."""
    rng = random.Random(seed)
    for n in range(count):
        yield {
            "title": f"{rng.choice(TITLES).capitalize()} {n}",
            "url": f"https://compendium.example.org/practices/practice-{n}/",
            "sectors": rng.sample(["Supply chains", "Financial sector"], 2),
            "countries": rng.sample(COUNTRIES, rng.randint(0, 3)),
            "regions": ["Africa", "Sub-Saharan Africa"],
            "kind": "Financial-intelligence partnership",
            "partners": rng.sample(PARTNERS, rng.randint(2, 4)),
            "audiences": ["Law enforcement", "Labour inspectors"],
            "stages": ["Recruitment", "Financial flows"],
            "tags": rng.sample(WORDS, rng.randint(2, 5)),
            "start_year": rng.randint(2005, 2024),
            "end_year": rng.choice([None, 2025]),
            "summary": rng.choice(SUMMARIES),
            "outcomes": rng.choice(OUTCOMES),
            "provenance": "Comparable practice documented elsewhere",
            "sources": [f"https://example.org/report-{n}-{i}" for i in range(2)],
        }


COLUMNS = [Column(name, lambda row, name=name: row[name]) for name in HEADERS]


def export(count):
    """Build and stream one export; (seconds to build, seconds to stream, bytes)."""
    started = time.perf_counter()
    response = xlsx_response(synthetic_rows(count), COLUMNS, "practices")
    built = time.perf_counter()
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return built - started, time.perf_counter() - built, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    for _ in synthetic_rows(args.rows):
        pass
    source = time.perf_counter() - started
    export(200)  # lazy imports and first allocations, before the idle figure
    with PeakRSS() as memory:
        if args.tracemalloc:
            tracemalloc.start()
        build, stream, size = export(args.rows)
        if args.tracemalloc:
            traced_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    idle, top = memory.idle_kb, memory.peak_kb

    print(f"rows {args.rows:,} x {len(COLUMNS)} columns, file {size / 2**20:.1f} MB")
    print(
        f"time: build {build:.1f} s (making the rows alone {source:.1f} s), "
        f"stream {stream:.1f} s"
    )
    print(
        f"RSS: idle {idle / 1024:.1f} MB, peak {top / 1024:.1f} MB, "
        f"{(top - idle) / 1024:.1f} MB above idle"
    )
    if args.tracemalloc:
        print(f"tracemalloc peak: {traced_peak / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
