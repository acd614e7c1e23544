"""Print issue 13's targets table from the figures a `make bench` run wrote.

    python bench/targets.py [--results bench/results]

Measures nothing: reads the newest of each result file under bench/results/ and
prints every figure of the issue's table with the issue's "today", the new value,
the target and whether it is met. A figure whose file is missing is "not measured"
(and missed). The files, and when each was written, are listed under the table.

    bench-*.json   bench/measure.py: the pages at 100,000 practices, export memory
    sqlite.json    bench/measure.py --public-only on the embedded SQLite default
    peer-*.json    bench/peer.py: the full CSV against Datasette's
    facets.json    bench/facets.py --output: index memory, the pages after edits
    load-*.txt     bench/load.sh: wrk's LOAD summary line
"""

import argparse
import json
import re
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
LISTS = ["list_all", "list_facets", "list_search"]
OTHER_PUBLIC = [
    "list_search_fr",
    "list_with",
    "gaps",
    "gaps_with",
    "api_list",
    "home",
    "detail",
    "sector",
    "site_search",
    "action_points",
    "organisations",
]
LOAD_LINE = re.compile(r"^LOAD (.*)$", re.MULTILINE)


def newest(folder, pattern):
    files = sorted(folder.glob(pattern), key=lambda path: path.stat().st_mtime)
    return files[-1] if files else None


def read_json(path):
    return json.loads(path.read_text()) if path else None


def worst(pages, keys):
    """(label, ms) of the slowest of ``keys`` among ``pages``."""
    found = [
        (pages[key]["label"], pages[key]["page"]["median_ms"])
        for key in keys
        if key in pages
    ]
    return max(found, key=lambda item: item[1]) if found else None


def rows(folder):
    """(figure, today, new, target, met) for each line of the issue's table, and
    the files they were read from."""
    files = {
        "measure": newest(folder, "bench-*.json"),
        "sqlite": folder / "sqlite.json" if (folder / "sqlite.json").exists() else None,
        "peer": newest(folder, "peer-*.json"),
        "facets": folder / "facets.json" if (folder / "facets.json").exists() else None,
        "load": newest(folder, "load-*.txt"),
    }
    measure, sqlite, peer, facets = (
        read_json(files[name]) for name in ("measure", "sqlite", "peer", "facets")
    )
    table = []

    figure = "`/practices/`, no filter; two facets; `q=bank`: median page time"
    if measure:
        times = [measure["pages"][key]["page"]["median_ms"] for key in LISTS]
        new = " / ".join(f"{ms:,.0f}" for ms in times) + " ms"
        met = all(ms <= 100 for ms in times)
    else:
        new, met = "not measured", False
    table.append((figure, "504 / 1,571 / 1,390 ms", new, "each <= 100 ms", met))

    figure = "every other public page, the JSON API list and the gap matrix"
    slowest = measure and worst(measure["pages"], OTHER_PUBLIC)
    if slowest:
        new, met = f"up to {slowest[1]:,.0f} ms ({slowest[0]})", slowest[1] <= 100
    else:
        new, met = "not measured", False
    table.append((figure, "up to 938 ms", new, "each <= 100 ms", met))

    figure = "full CSV export, rows a second against Datasette's; memory above idle"
    if peer and "full CSV" in peer.get("pages", {}):
        csv = peer["pages"]["full CSV"]
        ratio = csv["ours"]["rows_per_s"] / csv["peer"]["rows_per_s"]
        new = (
            f"{ratio:.2f}x ({csv['ours']['rows_per_s']:,.0f} against "
            f"{csv['peer']['rows_per_s']:,.0f} rows/s)"
        )
        met = ratio >= 1.0
    else:
        new, met = "not measured", False
    if measure and "export" in measure:
        above = measure["export"]["peak_above_idle_mb"]
        new += f"; {above} MB"
        met = met and above < 64
    else:
        new, met = new + "; memory not measured", False
    table.append((figure, "0.26x", new, ">= 1.0x, < 64 MB above idle", met))

    figure = "`bench/load.sh` rotation, 32 connections, 30 s"
    match = files["load"] and LOAD_LINE.search(files["load"].read_text())
    if match:
        load = dict(part.split("=", 1) for part in match.group(1).split())
        errors = sum(
            int(load[name])
            for name in ("non2xx3xx", "connect", "read", "write", "timeout")
        )
        rps, p99 = float(load["rps"]), float(load["p99_ms"])
        new = f"{rps:,.1f} req/s, p99 {p99:,.0f} ms, {errors} errors"
        met = rps >= 50 and p99 <= 1000 and errors == 0
    else:
        new, met = "not measured", False
    table.append(
        (figure, "4-5 req/s, p99 7-10 s", new, ">= 50 req/s, p99 <= 1 s, 0 errors", met)
    )

    figure = "SQLite at 20,000 practices (the embedded default): every public page"
    slowest = sqlite and worst(sqlite, list(sqlite))
    if slowest:
        new, met = f"up to {slowest[1]:,.0f} ms ({slowest[0]})", slowest[1] <= 250
    else:
        new, met = "not measured", False
    table.append((figure, "not measurable", new, "each <= 250 ms", met))

    figure = "memory of a server process with the facet index"
    if facets and "index_memory_mb" in facets:
        new = f"{facets['index_memory_mb']} MB above the process without it"
        met = facets["index_memory_mb"] <= 100
    else:
        new, met = "not measured", False
    table.append((figure, "-", new, "<= 100 MB above idle", met))

    figure = "what an edit costs: publish one practice, then the next public page"
    edits = (facets or {}).get("after_an_edit")
    if edits:
        # The slowest next page over the kinds of edit bench/facets.py makes.
        name, ms = max(edits.items(), key=lambda item: item[1])
        new, met = f"up to {ms:,.0f} ms ({name})", ms <= 200
    else:
        new, met = "not measured", False
    table.append((figure, "-", new, "correct at once, <= 200 ms", met))
    return table, files


def print_table(table, files):
    headers = ("figure", "today", "new", "target", "")
    cells = [headers] + [
        (figure, today, new, target, "met" if met else "MISSED")
        for figure, today, new, target, met in table
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print("Issue 13 targets (this run's figures)")
    for n, row in enumerate(cells):
        padded = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("| " + " | ".join(padded) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    met = sum(row[-1] for row in table)
    print(f"{met} of {len(table)} targets met.")
    print("Read from:")
    for name, path in files.items():
        if path:
            written = time.strftime(
                "%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime)
            )
            print(f"  {name}: {path.name} ({written})")
        else:
            print(f"  {name}: no file")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    print_table(*rows(args.results))


if __name__ == "__main__":
    main()
