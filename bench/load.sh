#!/usr/bin/env bash
# Load test: gunicorn as deployed (deploy/gunicorn.conf.py, DEBUG off) on 127.0.0.1
# against the benchmark database, driven by wrk for 30 s at 32 connections over a
# rotation of list, search, detail and small CSV export URLs. Run bench/run.sh first
# (it fills the database).
#
#   LOAD_DURATION=30s LOAD_CONNECTIONS=32 LOAD_PORT=8765 bash bench/load.sh
#   LOAD_GUNICORN_ARGS="--worker-class sync --workers 2"   another worker model
#   PAGE_CACHE=0                                          every page rendered
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/compendium_bench}"
export DEBUG=0
export SECRET_KEY="${SECRET_KEY:-benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuv}"
export ALLOWED_HOSTS=127.0.0.1
# Plain HTTP on the loopback, as behind a TLS-terminating proxy.
export SECURE_SSL_REDIRECT=0
PORT="${LOAD_PORT:-8765}"
DURATION="${LOAD_DURATION:-30s}"
CONNECTIONS="${LOAD_CONNECTIONS:-32}"
RESULTS=bench/results
mkdir -p "$RESULTS"
URLS="$RESULTS/load-urls.txt"
PIDFILE="$RESULTS/gunicorn.pid"
LOG="$RESULTS/gunicorn.log"

.venv/bin/python manage.py collectstatic --no-input -v 0

# The rotation: lists with and without facets and search, published details, the
# site search, and CSV exports of a small filtered set.
{
    echo "/practices/"
    echo "/practices/?sector=financial&region=europe"
    echo "/practices/?q=bank"
    echo "/practices/?q=forced+labour&sector=supply-chain"
    echo "/practices/?stage=recruitment&sort=newest&page=3"
    echo "/search/?q=bank"
    echo "/"
    echo "/action-points/"
    echo "/practices/export.csv?sector=financial&region=oceania&kind=worker-voice"
    echo "/action-points/export.csv?sector=financial"
    psql "$DATABASE_URL" -tAc "SELECT '/practices/' || slug || '/' FROM practices_practice
        WHERE status = 'published' ORDER BY id DESC LIMIT 10"
} > "$URLS"

# shellcheck disable=SC2086  # LOAD_GUNICORN_ARGS is a list of options
.venv/bin/gunicorn -c deploy/gunicorn.conf.py compendium.wsgi:application \
    --bind "127.0.0.1:$PORT" --control-socket "$RESULTS/gunicorn.ctl" \
    --pid "$PIDFILE" --access-logfile /dev/null --error-logfile "$LOG" --daemon \
    ${LOAD_GUNICORN_ARGS:-}
stop() { [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    sleep 0.2
done
# Every URL LOAD_WARMUP times (default 3) before the run: each must answer 200, and
# each worker's facet cache then likely holds every list, as on a site in use.
# LOAD_WARMUP=1 measures from cold caches.
for _ in $(seq 1 "${LOAD_WARMUP:-3}"); do
    while read -r url; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$url")
        [ "$code" = 200 ] || { echo "$url answered $code" >&2; exit 1; }
    done < "$URLS"
done

# bench/targets.py reads the newest load-*.txt.
{
    echo "== wrk: $CONNECTIONS connections for $DURATION, $(nproc) cores," \
        "gunicorn -c deploy/gunicorn.conf.py ${LOAD_GUNICORN_ARGS:-}," \
        "PAGE_CACHE=${PAGE_CACHE:-1}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    wrk -t 2 -c "$CONNECTIONS" -d "$DURATION" --timeout 60s --latency \
        -s bench/load.lua "http://127.0.0.1:$PORT" -- "$URLS"
} | tee "$RESULTS/load-$(date +%Y-%m-%d-%H%M%S).txt"
