"""How to search, decided in one place for the database in use.

PostgreSQL: full-text search in the ``compendium`` text search configuration (English
stemming over unaccented words, made by practices migration 0002), web-search syntax
("quoted phrases", -word, or) and ranking. SQLite, the embedded default: every word must
appear, case-insensitively; quoted phrases must appear whole and -word must not appear;
rows whose title holds more of the words come first.

Views call ``search()`` and never look at the database vendor themselves.
"""

import operator
import re
import unicodedata
from dataclasses import dataclass, field
from functools import reduce

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from core.listing.params import strip_control
from core.lookups import among

SEARCH_CONFIG = "compendium"
MAX_QUERY_LENGTH = 200
MAX_SIMPLE_TERMS = 10
# ts_headline returns the source text unescaped; it marks matches with these control
# characters, and the ``highlight`` template filter escapes the text, then turns them
# into <mark> elements.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


def clean_query(raw):
    """The query as the search will use it: no control characters, bounded length."""
    if not raw:
        return ""
    text = strip_control(str(raw), " ")
    text = " ".join(text.split())
    return text[:MAX_QUERY_LENGTH].strip()


def uses_postgres():
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class SearchFields:
    """Which fields a model is searched on, by weight (A highest)."""

    a: tuple = ()
    b: tuple = ()
    c: tuple = ()
    stored_vector: str | None = None
    headline_field: str | None = None
    all_fields: tuple = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "all_fields", self.a + self.b + self.c)


def weighted_vector(fields: SearchFields, read=None):
    """The PostgreSQL vector of ``fields``, each weight's texts weighted A, B or C.

    What a search without a stored vector matches against, and so what a stored one
    must hold. ``read(name)``, when given, is the expression to read for a field
    name instead of the name itself.
    """
    return reduce(
        operator.add,
        [
            SearchVector(
                *(read(name) if read else name for name in names),
                weight=weight,
                config=SEARCH_CONFIG,
            )
            for weight, names in (("A", fields.a), ("B", fields.b), ("C", fields.c))
            if names
        ],
    )


def search(
    queryset, raw_query, fields: SearchFields, *, with_headline=False, matches=None
):
    """Filter ``queryset`` to rows matching ``raw_query`` and annotate ``rank``.

    With ``with_headline`` the rows also carry ``headline`` on PostgreSQL: a snippet
    with matches between HIGHLIGHT_START and HIGHLIGHT_STOP (render it with the
    ``highlight`` filter). Elsewhere there is none and templates show the summary.

    ``matches``: what ``matching_pks()`` read for this query, so that the rows are
    found by primary key instead of by matching every text again.
    """
    query = clean_query(raw_query)
    if not query:
        return queryset
    if uses_postgres():
        return _search_postgres(queryset, query, fields, with_headline, matches)
    return _search_simple(queryset, query, fields)


def matching_pks(searched):
    """The primary keys of a ``search()`` result, read in one query, for
    ``search(matches=...)``; None where reusing them gains nothing.

    On PostgreSQL, matching reads every row's search vector, most of them stored out
    of line, so it costs the most of anything a page does (bench/README.md). A list
    page needs the matches for its count, its page and each of its facets; with the
    keys read once, each of those finds its rows by id instead. SQLite gains nothing
    on the small data sets it serves.
    """
    if not uses_postgres():
        return None
    return list(searched.prefetch_related(None).order_by().values_list("pk", flat=True))


def _search_postgres(queryset, query, fields, with_headline, matches):
    ts_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    if fields.stored_vector:
        vector = F(fields.stored_vector)
    else:
        queryset = queryset.annotate(search_document=weighted_vector(fields))
        vector = F("search_document")
    queryset = queryset.annotate(rank=SearchRank(vector, ts_query))
    if matches is not None:
        queryset = queryset.filter(among("pk", matches))
    else:
        queryset = queryset.filter(
            **{fields.stored_vector or "search_document": ts_query}
        )
    if with_headline and fields.headline_field:
        queryset = queryset.annotate(
            headline=SearchHeadline(
                fields.headline_field,
                ts_query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=40,
                min_words=20,
                max_fragments=2,
            )
        )
    return queryset


def _fold(text):
    """Lower-case and strip accents, so "Côte" and "cote" compare equal in Python."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def parse_terms(query):
    """Split a query into (required, excluded) terms; quoted phrases stay whole."""
    required, excluded = [], []
    for match in _TOKEN.finditer(query):
        negated, phrase, word = match.groups()
        if phrase is not None:
            term = phrase.strip()
            target = excluded if negated else required
        else:
            term = word
            target = required
            if term.startswith("-") and len(term) > 1:
                term, target = term[1:], excluded
            elif term.lower() == "or":
                continue
        term = term.strip("\"'")
        if term:
            target.append(term)
    return required, excluded


def _any_field(fields, term):
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": term})
    return condition


def _search_simple(queryset, query, fields):
    required, excluded = parse_terms(query)
    # Each word adds joins and a term to the rank: SQLite's parser overflows at ~50.
    required = list(dict.fromkeys(required))[:MAX_SIMPLE_TERMS]
    excluded = list(dict.fromkeys(excluded))[:MAX_SIMPLE_TERMS]
    if not required and not excluded:
        # A query of only "or" or empty quotes: nothing to match, every row, and the
        # rank that relevance ordering expects.
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    for term in required:
        # One subquery per word: joining the to-many fields again for every word
        # passes SQLite's limit of 64 tables in a join after about ten words.
        matching = queryset.model._default_manager.filter(
            _any_field(fields.all_fields, term)
        )
        queryset = queryset.filter(pk__in=matching.values("pk"))
    for term in excluded:
        queryset = queryset.exclude(_any_field(fields.all_fields, term))
    title_field = fields.a[0] if fields.a else fields.all_fields[0]
    title_hits = [
        Case(
            When(**{f"{title_field}__icontains": term}, then=Value(1)), default=Value(0)
        )
        for term in required
    ]
    rank = Value(0, output_field=IntegerField())
    for hit in title_hits:
        rank = rank + hit
    queryset = queryset.annotate(
        rank=Coalesce(rank, Value(0), output_field=IntegerField())
    )
    if any("__" in name for name in fields.all_fields):
        # Matching across to-many relations joins them: one row per object.
        queryset = queryset.distinct()
    return queryset
