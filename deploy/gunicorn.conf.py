"""gunicorn's settings for the Compendium Portal: the worker model and count.

    gunicorn -c deploy/gunicorn.conf.py compendium.wsgi --bind 127.0.0.1:8000

The deployment (README "Deploying"), tests/deploy and the benchmarks (bench/load.sh,
bench/peer.py) all start gunicorn with this file, so what is measured is what is
deployed. Options given on the command line win over the ones here.

Threaded workers (gthread): a request spends much of its time waiting for
PostgreSQL, which runs on the same cores; a sync worker waits idle meanwhile, a
thread of the same process serves the next request. One process per core keeps the
in-process facet index (core.listing.index) once per core rather than once per
request served at a time. bench/README.md ("Load test") has the figures behind
the choice.

    WEB_CONCURRENCY   processes (default: the number of cores)
    GUNICORN_THREADS  threads in each (default 4)
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# The full CSV export of 100,000 practices streams for tens of seconds; gthread's
# timeout is the worker's heartbeat, which its main thread keeps while the other
# threads serve, so this bounds a stuck worker, not a long response.
timeout = 120
# A keep-alive connection holds no thread in gthread (it waits in the poller).
keepalive = 5
