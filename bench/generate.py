"""Fill a PostgreSQL database with N synthetic practices for the benchmark.

    DATABASE_URL=postgres://... python bench/generate.py --practices 100000
    DATABASE_URL=postgres://... python bench/generate.py --practices 20000 \
        --sqlite bench/results/bench-20000.sqlite3

With ``--sqlite``, the PostgreSQL database filled is a staging copy: every table is
then copied, row for row and keys kept, into that SQLite file (migrated first by
bench/run.sh), the embedded default. The set-based generation is PostgreSQL's
(arrays, ``generate_series``, ``random()``); copying its result takes seconds, where
``dumpdata``/``loaddata`` takes far too long.

Expects a migrated, empty database (bench/run.sh makes one). Loads the reference
content first, adds vocabulary up to realistic sizes with bulk_create (about 60
countries, 400 organisations, 300 tags), then inserts the practices and all their
relations with set-based SQL: a few statements, whatever N is. Texts are drawn
from a pool of generated paragraphs themed by sector, so that a word like "bank"
is common in one sector and rare in the others, as in the real compendium.
"""

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compendium.settings")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from taggit.models import Tag  # noqa: E402

from practices.models import (  # noqa: E402
    Country,
    Organisation,
    OrganisationType,
    Practice,
    PracticeQuerySet,
    PracticeSearch,
    Region,
    Sector,
)
from practices.search import refresh_search_vectors  # noqa: E402

EXTRA_COUNTRIES = {
    "northern-america": [],
    "latin-america-and-the-caribbean": ["AR", "CL", "CO", "PE", "GT", "DO"],
    "northern-europe": ["NO", "DK", "FI", "IE"],
    "western-europe": ["LU"],
    "southern-europe": ["IT", "ES", "PT", "GR"],
    "eastern-europe": ["PL", "RO", "UA", "MD"],
    "south-eastern-europe": ["RS", "AL"],
    "sub-saharan-africa": ["KE", "UG", "ET", "SN"],
    "northern-africa": ["EG", "MA", "TN"],
    "western-asia": ["AE", "QA", "TR"],
    "eastern-asia": ["JP", "KR"],
    "southern-asia": ["PK"],
}
RARE = {"bank", "banks", "banking"}
RARE_SHARE = 0.07
TARGET_ORGANISATIONS = 400
TARGET_TAGS = 300
PARAGRAPHS_PER_THEME = 1500


def _words(text):
    return text.split()


THEMES = {
    "supply-chain": _words(
        "supplier supply chain audit factory garment fishing vessel seafood cocoa "
        "plantation cotton mining minerals traceability buyers brands sourcing tier "
        "subcontractor worker voice grievance inspection certification forced labour "
        "recruitment fees passports wages overtime dormitory migrant workers"
    ),
    "financial": _words(
        "bank banks banking transaction transactions payment payments account "
        "accounts money laundering suspicious report reports intelligence unit "
        "analysts typologies red flags proceeds cash deposits transfers remittance "
        "correspondent compliance regulator sanctions beneficial ownership wire"
    ),
    "technology": _words(
        "platform platforms online advertisement classified algorithm data "
        "dataset machine learning detection hash image moderation app mobile "
        "hotline chat social media encryption cloud software tool dashboard "
        "identification matching screening verification"
    ),
}
COMMON = _words(
    "the partners public private partnership authorities government companies "
    "police prosecutors victims survivors trafficking persons exploitation share "
    "information training guidance cooperation national regional international "
    "programme pilot results indicators monitoring evaluation lessons trust "
    "agreement memorandum coordination referral support protection prevention "
    "awareness campaign research civil society organisations network meetings "
    "quarterly annual published launched expanded funded evidence cases"
)
TITLE_OPENINGS = [
    "Joint",
    "National",
    "Regional",
    "Cross-border",
    "Industry-wide",
    "Multi-stakeholder",
    "Community-led",
    "Pilot",
    "Sector",
    "Public-private",
]
TITLE_TOPICS = {
    "supply-chain": [
        "supplier audit programme",
        "responsible recruitment initiative",
        "worker voice network",
        "seafood traceability scheme",
        "due diligence platform",
        "ethical sourcing coalition",
    ],
    "financial": [
        "financial intelligence partnership",
        "red-flag indicators project",
        "banking alliance against trafficking",
        "suspicious transaction taskforce",
        "money-laundering typologies group",
        "payments screening pilot",
    ],
    "technology": [
        "online advertisement screening tool",
        "data-sharing platform",
        "victim identification app",
        "content moderation partnership",
        "hotline and chat referral service",
        "image-matching initiative",
    ],
}
SUFFIXES = [
    "",
    " on recruitment fees",
    " for migrant workers",
    " against forced labour",
]


def sentence(rng, theme_words):
    words = [
        rng.choice(theme_words) if rng.random() < 0.35 else rng.choice(COMMON)
        for _ in range(rng.randint(8, 18))
    ]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraphs(rng, theme):
    """Paragraphs that each dwell on a few of the theme's words, as real texts do.

    Words listed in RARE appear in RARE_SHARE of a theme's paragraphs only: with six
    paragraphs per practice, about a third of financial practices mention banks, and
    a search for "bank" matches about an eighth of all practices.
    """
    common = [word for word in THEMES[theme] if word not in RARE]
    rare = [word for word in THEMES[theme] if word in RARE]
    for _ in range(PARAGRAPHS_PER_THEME):
        focus = rng.sample(common, 8)
        if rare and rng.random() < RARE_SHARE:
            focus.append(rng.choice(rare))
        yield " ".join(sentence(rng, focus) for _ in range(rng.randint(4, 7)))


def add_vocabulary(rng):
    regions = {region.slug: region for region in Region.objects.all()}
    known = set(Country.objects.values_list("code", flat=True))
    countries = [
        Country(code=code, name=Country(code=code).code.name, region=regions[slug])
        for slug, codes in EXTRA_COUNTRIES.items()
        for code in codes
        if code not in known
    ]
    Country.objects.bulk_create(countries)

    country_ids = list(Country.objects.values_list("pk", flat=True))
    types = [value for value, _ in OrganisationType.choices]
    missing = TARGET_ORGANISATIONS - Organisation.objects.count()
    organisations = []
    for n in range(max(missing, 0)):
        kind = rng.choice(types)
        organisations.append(
            Organisation(
                name=f"Synthetic {OrganisationType(kind).label.lower()} {n}",
                slug=f"bench-org-{n}",
                type=kind,
                country_id=rng.choice(country_ids) if rng.random() < 0.85 else None,
                description="A synthetic organisation for the benchmark.",
            )
        )
    Organisation.objects.bulk_create(organisations)

    existing = set(Tag.objects.values_list("slug", flat=True))
    existing |= {name.lower() for name in Tag.objects.values_list("name", flat=True)}
    words = sorted(
        {word for theme in THEMES.values() for word in theme if word not in RARE}
        | set(COMMON)
    )
    names = []
    have = Tag.objects.count()
    while len(names) + have < TARGET_TAGS:
        name = f"{rng.choice(words)} {rng.choice(words)}"
        if not {slugify(name), name} & existing and name not in names:
            names.append(name)
    Tag.objects.bulk_create(Tag(name=name, slug=slugify(name)) for name in names)


def insert_practices(rng, count):
    sector_slugs = list(Sector.objects.order_by("order").values_list("slug", flat=True))
    ct = ContentType.objects.get_for_model(Practice).pk
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_paragraph (theme int, n int, body text) "
            "ON COMMIT DROP"
        )
        rows = [
            (theme_index, n, body)
            for theme_index, slug in enumerate(sector_slugs)
            for n, body in enumerate(paragraphs(rng, slug))
        ]
        with cursor.cursor.copy(
            "COPY bench_paragraph (theme, n, body) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("CREATE INDEX ON bench_paragraph (theme, n)")
        cursor.execute("ANALYZE bench_paragraph")

        titles = [
            f"{opening} {topic}{suffix}"
            for slug in sector_slugs
            for opening in TITLE_OPENINGS
            for topic in TITLE_TOPICS[slug]
            for suffix in SUFFIXES
        ]
        per_theme = len(titles) // len(sector_slugs)
        cursor.execute("SELECT max(id) FROM practices_practice")
        first = (cursor.fetchone()[0] or 0) + 1
        params = {
            "count": count,
            "titles": titles,
            "per_theme": per_theme,
            "pool": PARAGRAPHS_PER_THEME,
            "kinds": list(
                Practice._meta.get_field("kind")
                .related_model.objects.order_by("pk")
                .values_list("pk", flat=True)
            ),
        }
        # One row per practice: its theme (primary sector) decides title and texts.
        cursor.execute(
            """
            INSERT INTO practices_practice (
                title, slug, summary, description, outcomes, kind_id, start_year,
                end_year, provenance, provenance_source_url, provenance_note,
                maturity, maturity_source_url, status, created_at, updated_at,
                published_at, version
            )
            SELECT
                (%(titles)s::text[])[1 + r.theme * %(per_theme)s + r.t] || ' ' || r.g,
                'bench-practice-' || r.g,
                left(s.body, 580),
                d1.body || E'\n\n' || d2.body || E'\n\n' || d3.body || E'\n\n'
                    || d4.body,
                o.body,
                (%(kinds)s::bigint[])[
                    1 + (r.g * 7 + r.theme) %% cardinality(%(kinds)s::bigint[])
                ],
                CASE WHEN r.u < 0.9 THEN 1995 + (r.g %% 30) END,
                CASE WHEN r.u < 0.3 THEN 1995 + (r.g %% 30) + (r.g %% 5) END,
                CASE WHEN r.g %% 4 = 0 THEN 'presented'
                     ELSE 'documented_elsewhere' END,
                CASE WHEN r.g %% 4 = 0 THEN 'https://example.org/bench/meeting'
                     ELSE '' END,
                '',
                (ARRAY['pilot', 'implemented', 'evaluated', 'scaled', 'not_assessed'])[
                    1 + r.g %% 5],
                CASE WHEN r.g %% 5 = 4 THEN ''
                     ELSE 'https://example.org/bench/source' END,
                CASE WHEN r.v < 0.94 THEN 'published'
                     WHEN r.v < 0.97 THEN 'draft'
                     WHEN r.v < 0.99 THEN 'review' ELSE 'archived' END,
                now() - make_interval(days => (r.g %% 2000)),
                now() - make_interval(days => (r.g %% 700)),
                CASE WHEN r.v < 0.94 OR r.v >= 0.99
                     THEN now() - make_interval(days => (r.g %% 1500)) END,
                1
            FROM (
                SELECT g, g %% 3 AS theme, random() AS u, random() AS v,
                       floor(random() * %(per_theme)s)::int AS t,
                       floor(random() * %(pool)s)::int AS a,
                       floor(random() * %(pool)s)::int AS b,
                       floor(random() * %(pool)s)::int AS c,
                       floor(random() * %(pool)s)::int AS d,
                       floor(random() * %(pool)s)::int AS e,
                       floor(random() * %(pool)s)::int AS f
                FROM generate_series(1, %(count)s) AS g
            ) AS r
            JOIN bench_paragraph s ON s.theme = r.theme AND s.n = r.a
            JOIN bench_paragraph d1 ON d1.theme = r.theme AND d1.n = r.b
            JOIN bench_paragraph d2 ON d2.theme = r.theme AND d2.n = r.c
            JOIN bench_paragraph d3 ON d3.theme = r.theme AND d3.n = r.d
            JOIN bench_paragraph d4 ON d4.theme = r.theme AND d4.n = r.e
            JOIN bench_paragraph o ON o.theme = r.theme AND o.n = r.f
            ORDER BY r.g
            """,
            params,
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_new ON COMMIT DROP AS "
            "SELECT id, (substring(slug from 16))::int %% 3 AS theme "
            "FROM practices_practice WHERE id >= %s AND slug LIKE 'bench-practice-%%'",
            [first],
        )
        cursor.execute("ANALYZE bench_new")
        insert_relations(cursor, ct)


def insert_relations(cursor, ct):
    # Primary sector from the theme; a fifth of practices span a second sector.
    # "random() + 0 * p.id" ties the draw to the practice: a condition on the series
    # alone would be evaluated once and give every practice the same answer.
    cursor.execute(
        """
        WITH sectors AS (
            SELECT array_agg(id ORDER BY "order", name) AS ids FROM practices_sector
        )
        INSERT INTO practices_practice_sectors (practice_id, sector_id)
        SELECT DISTINCT p.id, sectors.ids[1 + ((p.theme + k) %% 3)]
        FROM bench_new p, sectors, generate_series(0, 1) AS k
        WHERE k = 0 OR random() + 0 * p.id < 0.2
        """,
        [],
    )
    # 0-3 countries (a tenth are global), skewed so that some countries are common.
    cursor.execute(
        """
        WITH countries AS (
            SELECT array_agg(id ORDER BY id) AS ids FROM practices_country
        )
        INSERT INTO practices_practice_countries (practice_id, country_id)
        SELECT DISTINCT p.id,
               c.ids[1 + floor(cardinality(c.ids) * power(random(), 1.6))::int]
        FROM bench_new p, countries c, generate_series(1, 3) AS k
        WHERE (p.id %% 10) <> 0 AND (k = 1 OR random() + 0 * p.id < 0.4)
        """,
        [],
    )
    # Regions: every country's sub-region and its parent; "global" for the rest.
    cursor.execute(
        """
        INSERT INTO practices_practice_regions (practice_id, region_id)
        SELECT DISTINCT pc.practice_id, r.id
        FROM practices_practice_countries pc
        JOIN bench_new p ON p.id = pc.practice_id
        JOIN practices_country c ON c.id = pc.country_id
        JOIN practices_region sub ON sub.id = c.region_id
        JOIN practices_region r ON r.id = sub.id OR r.id = sub.parent_id
        """,
        [],
    )
    cursor.execute(
        """
        INSERT INTO practices_practice_regions (practice_id, region_id)
        SELECT p.id, r.id FROM bench_new p, practices_region r
        WHERE r.slug = 'global' AND (p.id %% 10) = 0
        """,
        [],
    )
    for table, column, source, low, high in [
        ("practices_practice_stages", "stage_id", "practices_stage", 1, 3),
        ("practices_practice_audiences", "audience_id", "practices_audience", 1, 3),
    ]:
        cursor.execute(
            f"""
            WITH v AS (SELECT array_agg(id ORDER BY id) AS ids FROM {source})
            INSERT INTO {table} (practice_id, {column})
            SELECT DISTINCT p.id, v.ids[1 + floor(random() * cardinality(v.ids))::int]
            FROM bench_new p, v,
                 generate_series(1, {low} + (p.id * 7919) %% {high - low + 1}) AS k
            """,
            [],
        )
    # 2-5 tags per practice from about 300, Zipf-like: a few tags are very common.
    cursor.execute(
        """
        WITH t AS (SELECT array_agg(id ORDER BY id) AS ids FROM taggit_tag)
        INSERT INTO taggit_taggeditem (content_type_id, object_id, tag_id)
        SELECT DISTINCT %s, p.id,
               t.ids[1 + floor(cardinality(t.ids) * power(random(), 2.5))::int]
        FROM bench_new p, t, generate_series(1, 2 + (p.id * 104729) %% 4) AS k
        """,
        [ct],
    )
    # 2-4 partners with roles; the first is the lead.
    cursor.execute(
        """
        WITH o AS (
            SELECT array_agg(id ORDER BY id) AS ids FROM partnerships_organisation
        )
        INSERT INTO partnerships_practicepartner
            (practice_id, organisation_id, role, "order")
        SELECT practice_id, organisation_id,
               CASE WHEN rn = 1 THEN 'lead'
                    ELSE (ARRAY['partner', 'funder', 'implementer'])[1 + (rn %% 3)] END,
               rn - 1
        FROM (
            SELECT practice_id, organisation_id,
                   row_number() OVER (PARTITION BY practice_id ORDER BY k) AS rn
            FROM (
                SELECT DISTINCT ON (practice_id, organisation_id)
                       practice_id, organisation_id, k
                FROM (
                    SELECT p.id AS practice_id, k,
                           o.ids[1 + floor(cardinality(o.ids)
                                 * power(random(), 1.4))::int] AS organisation_id
                    FROM bench_new p, o, generate_series(1, 2 + (p.id * 31) %% 3) AS k
                ) drawn
                ORDER BY practice_id, organisation_id, k
            ) picked
        ) numbered
        """,
        [],
    )
    # 1-3 sources each.
    cursor.execute(
        """
        INSERT INTO practices_practicesource
            (practice_id, title, publisher, url, published_on, "order")
        SELECT p.id, 'Annual report ' || k, 'Synthetic publisher',
               'https://example.org/bench/' || p.id || '/report-' || k,
               DATE '2015-01-01' + (p.id %% 3000)::int, k - 1
        FROM bench_new p, generate_series(1, 1 + (p.id %% 3)) AS k
        """,
        [],
    )


def _sqlite_value(value):
    if isinstance(value, datetime):
        # As Django's SQLite backend stores an aware datetime: UTC, no offset.
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def copy_to_sqlite(path):
    """Every row of this (PostgreSQL) database into the migrated SQLite file ``path``,
    keys kept; what SQLite does not search by (the search vectors, and the search
    rows that copy them: SQLite has its full-text index) is left out."""
    target = sqlite3.connect(path)
    target.execute("PRAGMA foreign_keys = OFF")
    tables = [
        name
        for (name,) in target.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' AND name <> 'django_migrations'"
        )
        if name != PracticeSearch._meta.db_table
    ]
    total = 0
    with connection.cursor() as cursor:
        for table in tables:
            columns = [
                row[1]
                for row in target.execute(f'PRAGMA table_info("{table}")')
                if row[1] not in PracticeQuerySet.search_fields.vector_columns()
            ]
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s",
                [table],
            )
            present = {name for (name,) in cursor.fetchall()}
            columns = [column for column in columns if column in present]
            if not columns:
                continue
            target.execute(f'DELETE FROM "{table}"')
            names = ", ".join(f'"{column}"' for column in columns)
            cursor.execute(f'SELECT {names} FROM "{table}"')
            insert = (
                f'INSERT INTO "{table}" ({names}) '
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            while rows := cursor.fetchmany(5000):
                target.executemany(
                    insert, [tuple(map(_sqlite_value, row)) for row in rows]
                )
                total += len(rows)
    target.commit()
    target.execute("ANALYZE")
    target.close()
    return total


def index_sqlite(path):
    """Build the full-text index of the SQLite file ``path`` once, after the copy
    (which sends no signal), by the code that keeps it on every edit."""
    subprocess.run(
        [
            sys.executable,
            str(BASE_DIR / "manage.py"),
            "shell",
            "-c",
            "from practices.search import refresh_sqlite_index; refresh_sqlite_index()",
        ],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{Path(path).resolve()}"},
        check=True,
    )


def copy_and_index(path):
    step = time.perf_counter()
    rows = copy_to_sqlite(path)
    print(f"{rows} rows copied into {path} in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    index_sqlite(path)
    print(f"its full-text index built in {time.perf_counter() - step:.1f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--sqlite",
        help="copy the result (or what the database already holds) into this "
        "migrated SQLite file",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL.")
    if Practice.objects.filter(slug__startswith="bench-practice-").exists():
        if not args.sqlite:
            sys.exit("This database already holds benchmark practices; start afresh.")
        # Filled before: copy what it holds.
        copy_and_index(args.sqlite)
        return
    rng = random.Random(args.seed)

    started = time.perf_counter()
    call_command("load_reference", verbosity=0)
    print(f"reference content loaded in {time.perf_counter() - started:.1f} s")

    step = time.perf_counter()
    with transaction.atomic():
        add_vocabulary(rng)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [(args.seed % 1000) / 1000])
        insert_practices(rng, args.practices)
    print(
        f"{args.practices} practices and their relations inserted in "
        f"{time.perf_counter() - step:.1f} s"
    )

    step = time.perf_counter()
    refresh_search_vectors()
    print(f"search vectors refreshed in {time.perf_counter() - step:.1f} s")

    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE in {time.perf_counter() - step:.1f} s")
    print(
        f"total {time.perf_counter() - started:.1f} s: "
        f"{Practice.objects.count()} practices, "
        f"{Practice.objects.published().count()} published, "
        f"{Organisation.objects.count()} organisations, "
        f"{Country.objects.count()} countries, {Tag.objects.count()} tags"
    )
    if args.sqlite:
        copy_and_index(args.sqlite)


if __name__ == "__main__":
    main()
