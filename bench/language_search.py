"""A search on a French page, with the stored French vector and with the vector
built for every row (the code before), interleaved on the same database: see
bench/README.md, "Search on a page in another language". With the settings that
bench/run.sh gives measure.py:

    DATABASE_URL=... DEBUG=0 SECRET_KEY=... python bench/language_search.py [URL ...]
"""

import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compendium.settings")
os.environ.setdefault("PAGE_CACHE", "0")
import django

django.setup()
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import translation  # noqa: E402

import practices.models as models  # noqa: E402
from practices.models import Practice  # noqa: E402

STORED = models.PracticeQuerySet.search_fields
BUILT = dataclasses.replace(STORED, language_vector=None)
URLS = sys.argv[1:] or ["/fr/practices/?q=banque", "/fr/practices/?q=fintrac"]
client = Client()


def use(fields):
    models.PracticeQuerySet.search_fields = fields


def page(url):
    cache.clear()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return (time.perf_counter() - started) * 1000, response.content


for url in URLS:
    times = {"stored": [], "built": []}
    bodies = {}
    for fields in (STORED, BUILT):
        use(fields)
        page(url)  # warm-up
    for _ in range(5):
        for name, fields in (("stored", STORED), ("built", BUILT)):
            use(fields)
            ms, body = page(url)
            times[name].append(ms)
            bodies[name] = body
    same = bodies["stored"] == bodies["built"]
    print(
        url,
        {k: round(statistics.median(v)) for k, v in times.items()},
        "same page" if same else "PAGES DIFFER",
    )
    for name, fields in (("stored", STORED), ("built", BUILT)):
        use(fields)
        with translation.override("fr"):
            term = url.split("q=")[1]
            qs = Practice.objects.published().search(term).values("pk")
            sql, params = qs.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        print("  ", name, plan[-1], "|", " ".join(p.strip() for p in plan[:1]))
