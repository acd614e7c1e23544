#!/usr/bin/env bash
# `make bench`: the PostgreSQL benchmark at 1,000 and 100,000 practices (bench/README.md).
#
#   BENCH_PRACTICES=100000  practices in the main database (default 100,000)
#   DATABASE_URL            main database (default .../compendium_bench); a second one,
#                           <name>_small, holds 1,000 practices for the query counts
#   BENCH_FRESH=1           drop and regenerate both databases
#   BENCH_REPEAT=7          timed repetitions per measurement
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/compendium_bench}"
export BENCH_PRACTICES="${BENCH_PRACTICES:-100000}"
SMALL_PRACTICES=1000
SMALL_URL="${DATABASE_URL}_small"
# Production-like: DEBUG off. The in-process client speaks plain HTTP, so no redirect.
export DEBUG=0
export SECRET_KEY="${SECRET_KEY:-benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuv}"
export ALLOWED_HOSTS="testserver,127.0.0.1,localhost"
export SECURE_SSL_REDIRECT=0

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# prepare URL N: create, migrate and fill the database unless it already holds N.
prepare() {
    local url="$1" n="$2" name admin
    name="${url##*/}"
    admin="${url%/*}/postgres"
    if [ "${BENCH_FRESH:-0}" = 1 ]; then
        psql "$admin" -qtAc "DROP DATABASE IF EXISTS \"$name\"" >/dev/null
    fi
    if ! psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
        psql "$admin" -qtAc "CREATE DATABASE \"$name\"" >/dev/null
    fi
    DATABASE_URL="$url" $PY manage.py migrate --no-input -v 0
    local have
    have=$(psql "$url" -tAc "SELECT count(*) FROM practices_practice WHERE slug LIKE 'bench-practice-%'")
    if [ "$have" != "$n" ]; then
        if [ "$have" != 0 ]; then
            echo "$name holds $have benchmark practices, not $n: regenerating it."
            psql "$admin" -qtAc "DROP DATABASE \"$name\" WITH (FORCE)" >/dev/null
            psql "$admin" -qtAc "CREATE DATABASE \"$name\"" >/dev/null
            DATABASE_URL="$url" $PY manage.py migrate --no-input -v 0
        fi
        echo "== Generating $n practices in $name"
        DATABASE_URL="$url" $PY bench/generate.py --practices "$n"
    fi
}

prepare "$SMALL_URL" "$SMALL_PRACTICES"
prepare "$DATABASE_URL" "$BENCH_PRACTICES"

# DEBUG off serves static files through the manifest: collect them once.
$PY manage.py collectstatic --no-input -v 0

mkdir -p bench/results
echo "== Query counts at $SMALL_PRACTICES practices"
DATABASE_URL="$SMALL_URL" $PY bench/measure.py --query-counts-only \
    --output bench/results/query-counts-small.json
echo "== Measuring at $BENCH_PRACTICES practices"
$PY bench/measure.py --small-counts bench/results/query-counts-small.json \
    --repeat "${BENCH_REPEAT:-7}"

# The embedded default: SQLite at BENCH_SQLITE_PRACTICES (20,000), generated in a
# PostgreSQL staging database and copied into a migrated SQLite file (both kept for
# the next run). BENCH_SQLITE=0 leaves it out.
if [ "${BENCH_SQLITE:-1}" = 1 ]; then
    SQLITE_PRACTICES="${BENCH_SQLITE_PRACTICES:-20000}"
    SQLITE_FILE="$PWD/bench/results/bench-$SQLITE_PRACTICES.sqlite3"
    SQLITE_STAGING="${DATABASE_URL%/*}/compendium_bench_sqlite"
    prepare "$SQLITE_STAGING" "$SQLITE_PRACTICES"
    have=$($PY -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
        \"SELECT count(*) FROM practices_practice WHERE slug LIKE 'bench-practice-%'\"
        ).fetchone()[0])" "$SQLITE_FILE" 2>/dev/null || echo 0)
    if [ "$have" != "$SQLITE_PRACTICES" ]; then
        rm -f "$SQLITE_FILE"
        DATABASE_URL="sqlite:///$SQLITE_FILE" $PY manage.py migrate --no-input -v 0
        DATABASE_URL="$SQLITE_STAGING" $PY bench/generate.py --sqlite "$SQLITE_FILE"
    else
        # A file kept from an older run gets the newer migrations (the full-text
        # index, filled by its migration).
        DATABASE_URL="sqlite:///$SQLITE_FILE" $PY manage.py migrate --no-input -v 0
    fi
    echo "== SQLite (the embedded default) at $SQLITE_PRACTICES practices"
    DATABASE_URL="sqlite:///$SQLITE_FILE" $PY bench/measure.py --public-only \
        --repeat "${BENCH_SQLITE_REPEAT:-3}" --output bench/results/sqlite.json
fi

# The peer (bench/peer.py): Datasette in a virtualenv of its own, never the project's,
# serving the same published practices from one SQLite table.
DATASETTE_VENV=bench/.datasette-venv
if [ ! -x "$DATASETTE_VENV/bin/datasette" ]; then
    echo "== Installing Datasette into $DATASETTE_VENV"
    python3 -m venv "$DATASETTE_VENV"
    "$DATASETTE_VENV/bin/pip" install --quiet "datasette==0.65.5"
fi
echo "== Against Datasette at $BENCH_PRACTICES practices"
$PY bench/peer.py --repeat "${BENCH_PEER_REPEAT:-3}" --datasette "$DATASETTE_VENV/bin/datasette"

# The facet index: its memory and what an edit costs (bench/facets.py).
echo "== Facet index at $BENCH_PRACTICES practices"
$PY bench/facets.py --repeat "${BENCH_FACETS_REPEAT:-3}" --output bench/results/facets.json

# Under load: gunicorn as deployed, wrk over the rotation (bench/load.sh).
echo "== Load test at $BENCH_PRACTICES practices"
bash bench/load.sh

# Last: the issue's targets table, from the files the steps above wrote.
echo
$PY bench/targets.py
