"""How to search, decided in one place for the database in use.

PostgreSQL: full-text search in the ``compendium`` text search configuration (English
stemming over unaccented words, made by practices migration 0002), web-search syntax
("quoted phrases", -word, or) and ranking. SQLite, the embedded default: every word must
appear at the start of a word, case and accents ignored ("cote" finds "Côte"); quoted
phrases must appear whole and -word must not appear; rows whose title holds more of the
words come first. Both highlight the matches in a snippet.

On both, the synonyms and acronyms editors keep (``core.models.SearchSynonym``) widen
a query: "THB" also finds "human trafficking", "labor" finds "labour". A query with few
results gets a "did you mean" built from the words of published content
(``suggestion()``), and one that found nothing is counted, without who asked
(``record_miss()``).

Views call ``search()`` and never look at the database vendor themselves.
"""

import difflib
import functools
import itertools
import logging
import operator
import re
import threading
import time
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    Lookup,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from core import fts
from core.listing.params import strip_control
from core.lookups import among
from core.translation import TEXT_SEARCH_CONFIGS, own_language_fields

logger = logging.getLogger(__name__)

SEARCH_CONFIG = "compendium"
MAX_QUERY_LENGTH = 200
MAX_SIMPLE_TERMS = 10
# ts_headline returns the source text unescaped; it marks matches with these control
# characters, and the ``highlight`` template filter escapes the text, then turns them
# into <mark> elements.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
#: The longest synonym, in words, looked for in a query.
MAX_SYNONYM_WORDS = 6
SYNONYMS_CACHE_KEY = "search:synonyms"
#: Fewer results than this and a search offers "did you mean".
SUGGEST_BELOW = 3
MIN_SUGGESTED_WORD = 3
MAX_WORDS_CORRECTED = 5
MAX_WORD_LENGTH = 40
#: The characters of text read per searched field to build the "did you mean"
#: vocabulary: all of a collection of several hundred practices (the reference
#: content's 48 descriptions are 39,000), a sample of a larger one
#: (bench/README.md, "Did you mean").
VOCABULARY_CHARACTERS = 500_000
#: Texts folded and split into words at once, and the fewest and most read by
#: one query.
_VOCABULARY_CHUNK = 500
_VOCABULARY_MAX_CHUNK = 20_000
SQLITE_MATCH = "portal_word_match"
SQLITE_HEADLINE = "portal_headline"
HEADLINE_WORDS = 40
# Whatever separates terms handed to the SQLite headline function: never in a query.
_TERM_SEPARATOR = "\x1f"
_WORD = re.compile(r"\w+")
_EDGE_PUNCTUATION = ".,;:!?()[]{}"
# Unicode's combining marks, which NFKD splits from the letters they accent.
_COMBINING = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u064b-\u065f"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


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
    #: A stored vector of the ``a`` and ``b`` fields only (``rank_vector()`` of the
    #: stored one), which the rank reads instead of ``stored_vector`` (PostgreSQL).
    rank_vector: str | None = None
    #: Stored vectors of the texts written in each other language, in its own
    #: configuration: the column's name with ``{language}`` in it (PostgreSQL).
    #: Without it a page in another language builds that vector for every row.
    language_vector: str | None = None
    headline_field: str | None = None
    #: SQLite: the FTS5 table kept of these fields (core.fts), searched instead of
    #: matching every text of every row.
    sqlite_index: str | None = None
    all_fields: tuple = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "all_fields", self.a + self.b + self.c)

    def language_column(self, language):
        """The stored vector of the texts in ``language``, None without one."""
        if self.language_vector is None or language not in TEXT_SEARCH_CONFIGS:
            return None
        return self.language_vector.format(language=language)

    def vector_columns(self):
        """Every stored vector column: what search keeps, not what editors write."""
        columns = [self.stored_vector, self.rank_vector]
        columns += [self.language_column(language) for language in TEXT_SEARCH_CONFIGS]
        return tuple(column for column in columns if column)

    def in_language(self, model, language=None):
        """These fields' columns in ``language`` (the active one by default), by
        weight: () each on an English page or for a model without translations."""
        return SearchFields(
            a=own_language_fields(model, self.a, language),
            b=own_language_fields(model, self.b, language),
            c=own_language_fields(model, self.c, language),
        )


def weighted_vector(fields: SearchFields, read=None, config=SEARCH_CONFIG):
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
                config=config,
            )
            for weight, names in (("A", fields.a), ("B", fields.b), ("C", fields.c))
            if names
        ],
    )


def rank_vector(vector):
    """The part of a weighted ``vector`` that ranks: its A and B lexemes, positions
    as in ``vector``.

    The rank of a match (ts_rank) reads the positions and weights of the words
    matched; read from the whole stored vector, ranking a broad search reads a
    few KB per match, most of them stored out of line (bench/README.md). This part
    is small and kept in the row. A match in a ``c`` field alone ranks 0: below
    every match in an ``a`` or ``b`` field, as it ranked for a one-word query
    before, and among such matches the list's next order decides.
    """
    return Func(
        vector,
        function="ts_filter",
        template="%(function)s(%(expressions)s, '{a,b}')",
        output_field=SearchVectorField(),
    )


def search(
    queryset, raw_query, fields: SearchFields, *, with_headline=False, matches=None
):
    """Filter ``queryset`` to rows matching ``raw_query`` and annotate ``rank``.

    With ``with_headline`` the rows also carry ``headline``: a snippet with matches
    between HIGHLIGHT_START and HIGHLIGHT_STOP (render it with the ``highlight``
    filter), or None where the model declares no ``headline_field``.

    ``matches``: what ``matching_pks()`` read for this query, so that the rows are
    found by primary key instead of by matching every text again.
    """
    query = clean_query(raw_query)
    if not query:
        return queryset
    understood = understand(query)
    if uses_postgres():
        return _search_postgres(
            queryset, query, understood, fields, with_headline, matches
        )
    return _search_simple(queryset, understood, fields, with_headline, matches)


def matching_pks(searched):
    """The primary keys of a ``search()`` result, read in one query and in its
    order (none given: any order), for ``search(matches=...)``.

    Matching costs the most of anything a page does (on PostgreSQL it reads every
    row's search vector, most of them stored out of line; on SQLite it checks
    each candidate's words in Python: bench/README.md). A list page needs the
    matches for its count, its page and each of its facets; with the keys read
    once, each of those finds its rows by id instead, and with the keys in the
    list's order a page reads its own rows only.
    """
    with index_scans():
        return list(searched.prefetch_related(None).values_list("pk", flat=True))


@contextmanager
def index_scans():
    """Within this block, PostgreSQL reads rows by index where it can, not by
    scanning their table (``enable_seqscan`` off for the queries run here only).

    For a match on a stored vector the planner weighs a scan of the table against
    the GIN index by the table's pages, and so scans a broad match (a third of the
    rows); but the scan reads every row's vector, most of them stored out of line,
    which its costs leave out, while the index answers a plain word without
    reading a vector (bench/README.md). The setting is local to a transaction:
    outside one the block makes its own; inside one it puts the setting back (one
    query more), and after an error the rollback does. Inside another such block
    it does nothing: the outer one sets and puts back.
    """
    if not uses_postgres() or getattr(connection, "index_scans_on", False):
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), "
            "set_config('enable_seqscan', 'off', true)"
        )
        (before, _) = cursor.fetchone()
        connection.index_scans_on = True
        try:
            yield
        finally:
            connection.index_scans_on = False
        if nested:
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])


# What a query asks for, synonyms included -------------------------------------------


def _fold(text):
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", str(text)))
    return text.casefold().replace("\u2019", "'").replace("\u02bc", "'")


@functools.lru_cache(maxsize=2048)
def search_fold(text):
    """Lower-case, without accents, typographic apostrophes as plain ones: how the
    search compares words. ``core.collation.fold`` by regular expression rather
    than character by character, as the SQLite search folds every text it reads."""
    return _fold(text)


def _word_key(term):
    return search_fold(term).strip(_EDGE_PUNCTUATION + "\"'")


def synonym_groups():
    """The editors' synonym groups, each a tuple of terms, cached per content
    version: a save or delete of a synonym bumps it (core.models), so every process
    reads the change at its next search."""
    from core.listing.cache import content_version  # core.listing imports this module

    key = f"{SYNONYMS_CACHE_KEY}:{content_version()}"
    groups = cache.get(key)
    if groups is None:
        model = apps.get_model("core", "SearchSynonym")
        try:
            groups = [row.term_list() for row in model.objects.all()]
        except DatabaseError:
            # A search still answers, without synonyms, while the table is missing
            # (a database not yet migrated) or the database hiccups.
            logger.warning("Synonyms could not be read", exc_info=True)
            return []
        cache.set(key, groups, search_cache_seconds())
    return groups


def search_cache_seconds():
    return getattr(settings, "SEARCH_CACHE_SECONDS", 300)


def synonym_index(groups=None):
    """{the folded words of a term: every term of its groups}."""
    index = {}
    for group in synonym_groups() if groups is None else groups:
        for term in group:
            key = tuple(_word_key(word) for word in term.split())
            if key and all(key):
                index.setdefault(key, [])
                index[key] += [t for t in group if t not in index[key]]
    return {key: tuple(terms) for key, terms in index.items()}


@dataclass(frozen=True)
class Understood:
    """A query as the search reads it.

    ``required``: one tuple of alternatives per thing to find (a word or phrase as
    typed, or every term of the synonym group it belongs to); ``excluded``: terms
    that must not appear; ``widened``: the spans of the query that synonyms widened,
    and ``rest`` the query without them, for PostgreSQL's web-search syntax.
    """

    required: tuple
    excluded: tuple
    widened: tuple = ()
    rest: str = ""

    @property
    def terms(self):
        """Every alternative of every required term: what a snippet highlights."""
        return tuple(dict.fromkeys(alt for alts in self.required for alt in alts))


def understand(query, groups=None):
    """Split ``query`` into what must and must not match (see ``parse_terms``), with
    plain words and runs of them that are synonyms widened to their group.

    Quoted phrases and -words are taken as typed: quoting is how to ask for exactly
    one spelling.
    """
    index = synonym_index(groups)
    tokens = []
    for match in _TOKEN.finditer(query):
        required, excluded = parse_terms(match.group())
        plain = (
            match.group(3) is not None
            and required
            and not match.group().startswith("-")
        )
        tokens.append((match.span(), required, excluded, bool(plain)))
    required, excluded, widened = [], [], []
    position = 0
    while position < len(tokens):
        span, token_required, token_excluded, plain = tokens[position]
        excluded += token_excluded
        found = None
        if plain and index:
            run = 0
            while (
                position + run < len(tokens)
                and tokens[position + run][3]
                and run < MAX_SYNONYM_WORDS
            ):
                run += 1
            for length in range(run, 0, -1):
                key = tuple(
                    _word_key(tokens[position + i][1][0]) for i in range(length)
                )
                if key in index:
                    found = length, index[key]
                    break
        if found:
            length, alternatives = found
            typed = " ".join(tokens[position + i][1][0] for i in range(length))
            required.append((typed, *(a for a in alternatives if a != typed)))
            widened.append((span[0], tokens[position + length - 1][0][1]))
            position += length
            continue
        required += [(term,) for term in token_required]
        position += 1
    rest = query
    for start, end in reversed(widened):
        rest = rest[:start] + " " + rest[end:]
    return Understood(
        required=tuple(dict.fromkeys(required)),
        excluded=tuple(dict.fromkeys(excluded)),
        widened=tuple(widened),
        rest=" ".join(rest.split()),
    )


# PostgreSQL ---------------------------------------------------------------------


def ts_query(query, understood):
    """The tsquery of ``query``: web-search syntax, and each widened term as any of
    its synonyms (phrases stay phrases)."""
    if not understood.widened:
        return SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    parts = []
    if _WORD.search(understood.rest) and understood.rest.lower() != "or":
        parts.append(
            SearchQuery(understood.rest, search_type="websearch", config=SEARCH_CONFIG)
        )
    for alternatives in understood.required:
        if len(alternatives) > 1:
            parts.append(
                reduce(
                    operator.or_,
                    [
                        SearchQuery(term, search_type="phrase", config=SEARCH_CONFIG)
                        for term in alternatives
                    ],
                )
            )
    return reduce(operator.and_, parts)


def _own_language_match(model, query, fields):
    """On a page in another language than English: the vector of the texts editors
    wrote in it, weighted as the English ones, in that language's own configuration
    (French stems as French), with the query in it; None on an English page or for
    a model without translations. Matched beside the English vector, so that a text
    not yet translated is still found by its English words."""
    own = fields.in_language(model)
    if not own.all_fields:
        return None
    language = translation.get_language()
    config = TEXT_SEARCH_CONFIGS[language]
    stored = fields.language_column(language)
    return (
        F(stored) if stored else weighted_vector(own, config=config),
        SearchQuery(query, search_type="websearch", config=config),
        stored,
    )


def _search_postgres(queryset, query, understood, fields, with_headline, matches):
    ts = ts_query(query, understood)
    if fields.stored_vector:
        vector = F(fields.stored_vector)
    else:
        queryset = queryset.annotate(search_document=weighted_vector(fields))
        vector = F("search_document")
    ranked = F(fields.rank_vector) if fields.rank_vector else vector
    rank = SearchRank(ranked, ts)
    matched = Q(**{fields.stored_vector or "search_document": ts})
    own = _own_language_match(queryset.model, query, fields)
    if own is not None:
        own_vector, own_ts, stored = own
        if stored is None:
            queryset = queryset.annotate(search_own_language=own_vector)
        # Matched on the stored column itself, so that its GIN index serves it
        # beside the English one's (a BitmapOr of the two).
        own_column = stored or "search_own_language"
        rank = rank + SearchRank(F(own_column), own_ts)
        matched |= Q(**{own_column: own_ts})
    queryset = queryset.annotate(rank=rank)
    if matches is not None:
        queryset = queryset.filter(among("pk", matches))
    else:
        queryset = queryset.filter(matched)
    if with_headline and fields.headline_field:
        queryset = queryset.annotate(
            headline=SearchHeadline(
                fields.headline_field,
                ts,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=HEADLINE_WORDS,
                min_words=20,
                max_fragments=2,
            )
        )
    return queryset


# SQLite -------------------------------------------------------------------------


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


@functools.lru_cache(maxsize=256)
def _word_start(needle):
    return re.compile(r"(?<!\w)" + re.escape(needle))


@functools.lru_cache(maxsize=4096)
def word_match(text, needle):
    """Whether ``needle`` (already folded) starts a word of ``text``, case and
    accents ignored: "cote" in "Côte d'Ivoire", "labour" in "labourers", but not
    "labor" in "collaboration".

    Remembered: a list page matches the same texts again for its count, its page
    and each facet.
    """
    if text is None or not needle:
        return False
    return _word_start(needle).search(search_fold(text)) is not None


class WordMatch(Lookup):
    """``field__word="cote"``: the SQLite search's match (see ``word_match``), run by
    the function ``register_sqlite_functions`` adds to each connection."""

    lookup_name = "word"

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [search_fold(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{SQLITE_MATCH}({lhs}, {rhs})", (*lhs_params, *rhs_params)


CharField.register_lookup(WordMatch)
TextField.register_lookup(WordMatch)


def _folded_with_positions(text):
    """``text`` folded, and for each folded character the index of the character of
    ``text`` it came from."""
    folded, positions = [], []
    for index, character in enumerate(text):
        for piece in search_fold(character):
            folded.append(piece)
            positions.append(index)
    return "".join(folded), positions


def headline(text, terms, max_words=HEADLINE_WORDS):
    """A snippet of ``text`` of at most ``max_words`` words, from a little before the
    first match, each word that starts with one of ``terms`` between HIGHLIGHT_START
    and HIGHLIGHT_STOP; like PostgreSQL's ts_headline, the text is not escaped."""
    text = strip_control(str(text or ""), " ")
    if not text:
        return text
    folded, positions = _folded_with_positions(text)
    marked = []
    for term in terms:
        needle = search_fold(term)
        if not needle:
            continue
        for found in _word_start(needle).finditer(folded):
            start = positions[found.start()]
            end = positions[found.end() - 1] + 1
            # The whole word, as PostgreSQL marks whole words.
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            marked.append((start, end))
    spans = []
    for start, end in sorted(marked):
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    words = list(re.finditer(r"\S+", text))
    first, last = 0, len(words)
    if len(words) > max_words:
        at = next(
            (i for i, word in enumerate(words) if spans and word.end() > spans[0][0]),
            0,
        )
        first = max(0, min(at - 5, len(words) - max_words))
        last = first + max_words
    window_start, window_end = words[first].start(), words[last - 1].end()
    pieces, cursor = [], window_start
    for start, end in spans:
        if end <= window_start or start >= window_end:
            continue
        start, end = max(start, window_start), min(end, window_end)
        pieces += [text[cursor:start], HIGHLIGHT_START, text[start:end], HIGHLIGHT_STOP]
        cursor = end
    pieces.append(text[cursor:window_end])
    return "".join(pieces)


def _sqlite_headline(text, joined_terms):
    return headline(text, joined_terms.split(_TERM_SEPARATOR))


def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_MATCH,
            2,
            lambda text, needle: int(word_match(text, needle)),
            deterministic=True,
        )
        connection.connection.create_function(
            SQLITE_HEADLINE, 2, _sqlite_headline, deterministic=True
        )


def _any_field(model, fields, alternatives):
    """Rows where one of ``fields`` holds one of ``alternatives``. A field across a
    relation is matched in a subquery of its own, so that the relations are not
    joined to each other (every tag times every partner times every country)."""
    condition = Q()
    for name in fields:
        for term in alternatives:
            match = Q(**{f"{name}__word": term})
            if "__" in name:
                match = Q(pk__in=model._default_manager.filter(match).values("pk"))
            condition |= match
    return condition


def title_field(fields):
    """The field whose matches rank a row first on SQLite."""
    return fields.a[0] if fields.a else fields.all_fields[0]


def _search_simple(queryset, understood, fields, with_headline=False, matches=None):
    # Each word adds joins and a term to the rank: SQLite's parser overflows at ~50.
    required = understood.required[:MAX_SIMPLE_TERMS]
    excluded = understood.excluded[:MAX_SIMPLE_TERMS]
    if not required and not excluded:
        # A query of only "or" or empty quotes: nothing to match, every row, and the
        # rank that relevance ordering expects.
        return queryset.annotate(rank=Value(0, output_field=IntegerField()))
    model = queryset.model
    if fields.sqlite_index:
        # The same matches, read from the full-text index instead of every text.
        def anywhere(alternatives):
            return fts.matching(fields.sqlite_index, alternatives)

        def in_title(alternatives):
            return fts.matching(fields.sqlite_index, alternatives, fts.TITLE)

    else:

        def anywhere(alternatives):
            # One subquery per word: joining the to-many fields again for every
            # word passes SQLite's limit of 64 tables in a join after about ten.
            return Q(
                pk__in=model._default_manager.filter(
                    _any_field(model, fields.all_fields, alternatives)
                ).values("pk")
            )

        def in_title(alternatives):
            return _any_field(model, (title_field(fields),), alternatives)

    own = own_language_fields(model, fields.all_fields)
    if own:
        # A page in another language also finds the texts written in it.
        english_anywhere, english_in_title = anywhere, in_title
        own_title = own_language_fields(model, (title_field(fields),))

        def anywhere(alternatives):
            return english_anywhere(alternatives) | _any_field(model, own, alternatives)

        def in_title(alternatives):
            return english_in_title(alternatives) | _any_field(
                model, own_title, alternatives
            )

    if matches is not None:
        queryset = queryset.filter(among("pk", matches))
    else:
        for alternatives in required:
            queryset = queryset.filter(anywhere(alternatives))
        for term in excluded:
            queryset = queryset.exclude(anywhere((term,)))
    rank = Value(0, output_field=IntegerField())
    for alternatives in required:
        rank = rank + Case(When(in_title(alternatives), then=1), default=Value(0))
    queryset = queryset.annotate(
        rank=Coalesce(rank, Value(0), output_field=IntegerField())
    )
    if with_headline and fields.headline_field:
        terms = [t for t in understood.terms if _TERM_SEPARATOR not in t]
        queryset = queryset.annotate(
            headline=Func(
                F(fields.headline_field),
                Value(_TERM_SEPARATOR.join(terms)),
                function=SQLITE_HEADLINE,
                output_field=TextField(),
            )
        )
    return queryset


# Did you mean -------------------------------------------------------------------


#: {(database, model): (content version, its vocabulary)}: what each process
#: built last, kept as the facet index is (core.listing.index) and for the same
#: reason: any edit bumps the version, which every request reads anyway.
_vocabularies = {}


def forget_vocabularies():
    """Forget the vocabularies this process keeps (tests: the rollback between
    them brings an earlier content version back)."""
    _vocabularies.clear()


def vocabulary(querysets):
    """{folded word: how often it occurs} in the searched texts of ``querysets``,
    which must be published rows only: a suggestion must never spell out a draft.

    Built once per content version (any edit bumps it), kept by the process and
    in the cache, which other processes read: reading a sample of every text
    again costs 60-80 ms at 100,000 practices (bench/README.md).
    """
    from core.listing.cache import content_version  # core.listing imports this module

    version = content_version()
    words = Counter()
    for queryset in querysets:
        model = queryset.model._meta.label_lower
        kept = _vocabularies.get((queryset.db, model))
        if kept is not None and kept[0] == version:
            words.update(kept[1])
            continue
        key = f"search:vocabulary:{model}:{version}"
        found = cache.get(key)
        if found is None:
            found = Counter()
            for name in queryset.search_fields.all_fields:
                found.update(_word_counts(_searched_texts(queryset, name)))
            found = {
                word: count
                for word, count in found.items()
                if len(word) >= MIN_SUGGESTED_WORD and not word.isdigit()
            }
            cache.set(key, found, search_cache_seconds())
        _vocabularies[queryset.db, model] = (version, found)
        words.update(found)
    return words


def _searched_texts(queryset, name):
    """The texts of field ``name`` (a path such as ``tags__name``) of the rows of
    ``queryset``, in key order, until VOCABULARY_CHARACTERS of them are read.

    A related field is read from its own table, each related row once if a row of
    ``queryset`` reaches it (an ``EXISTS`` that stops at the first), rather than
    through a join of every row with its relations: 10-17 ms against 100-140 ms
    per relation at 100,000 practices.
    """
    *path, field_name = name.split(LOOKUP_SEP)
    if path:
        related = queryset.model
        for step in path:
            related = related._meta.get_field(step).related_model
        reached = queryset.order_by().filter(**{LOOKUP_SEP.join(path): OuterRef("pk")})
        rows = related._base_manager.filter(Exists(reached))
    else:
        rows = queryset
    rows = rows.order_by("pk").values_list("pk", field_name)
    # Read by key, a slice at a time sized by the texts read so far, so that the
    # first misspelling after an edit of a large collection reads a sample of its
    # texts, not all of them (a cursor would hold every row).
    read = rows_read = 0
    size, after = _VOCABULARY_CHUNK, None
    while True:
        chunk = list((rows if after is None else rows.filter(pk__gt=after))[:size])
        for _, text in chunk:
            if text:
                yield text
                read += len(text)
                if read >= VOCABULARY_CHARACTERS:
                    return
        if len(chunk) < size:
            return
        after, rows_read = chunk[-1][0], rows_read + len(chunk)
        left = (VOCABULARY_CHARACTERS - read) // max(1, read // rows_read) + 1
        size = min(_VOCABULARY_MAX_CHUNK, max(_VOCABULARY_CHUNK, left))


def _word_counts(texts):
    """{folded word: occurrences} in ``texts``, counted a chunk of texts at a time
    (one fold, one split and one C-level count for each chunk)."""
    counts = Counter()
    texts = iter(texts)
    while chunk := list(itertools.islice(texts, _VOCABULARY_CHUNK)):
        counts.update(_WORD.findall(_fold("\n".join(chunk))))
    return counts


def suggestion(query, querysets):
    """A better spelling of ``query`` from the words of ``querysets`` (published
    rows), or "" when every word is known or nothing is close enough.

    PostgreSQL ranks the candidates by trigram similarity (pg_trgm); SQLite by
    difflib's ratio. Synonyms count as known words.
    """
    query = clean_query(query)
    if not query:
        return ""
    understood = understand(query)
    widened = {
        _word_key(word)
        for alternatives in understood.required
        if len(alternatives) > 1
        for word in alternatives[0].split()
    }
    words = vocabulary(querysets)
    changed = False
    corrected = []
    attempts = 0
    for match in _TOKEN.finditer(query):
        token = match.group()
        word = _word_key(token)
        if (
            match.group(3) is None
            or token.startswith("-")
            or word in words
            or word in widened
            or word == "or"
            or not word.isalpha()
            or not MIN_SUGGESTED_WORD <= len(word) <= MAX_WORD_LENGTH
            or attempts >= MAX_WORDS_CORRECTED
        ):
            corrected.append(token)
            continue
        attempts += 1
        better = _closest(word, words)
        if better:
            corrected.append(better)
            changed = True
        else:
            corrected.append(token)
    return " ".join(corrected) if changed else ""


def _closest(word, words):
    if not words:
        return None
    if uses_postgres():
        candidates, counts = zip(*words.items(), strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w FROM unnest(%s::text[], %s::int[]) AS v(w, n) "
                "WHERE similarity(w, %s) >= 0.4 "
                "ORDER BY similarity(w, %s) DESC, n DESC, w LIMIT 1",
                [list(candidates), list(counts), word, word],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    close = difflib.get_close_matches(word, words, n=3, cutoff=0.8)
    if not close:
        return None
    # Among the closest, the commonest: "trafficing" is "trafficking", not "trafficks".
    best = difflib.SequenceMatcher(None, word, close[0]).ratio()
    tied = [c for c in close if difflib.SequenceMatcher(None, word, c).ratio() >= best]
    return max(tied, key=lambda candidate: words[candidate])


# Searches that found nothing ----------------------------------------------------


def normalised_words(query):
    """What is counted of a search that found nothing: its words, folded, in order;
    no operator, no quote, nothing about who asked."""
    return " ".join(_WORD.findall(search_fold(clean_query(query))))[:MAX_QUERY_LENGTH]


class _MissBuffer:
    """Counts of searches that found nothing, kept in memory and written in one go
    every SEARCH_MISS_FLUSH_EVERY searches or SEARCH_MISS_FLUSH_SECONDS, so that no
    page waits on (or fails with) a write of its own."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.since = time.monotonic()

    def add(self, words):
        with self.lock:
            self.counts[words] += 1
            due = sum(self.counts.values()) >= getattr(
                settings, "SEARCH_MISS_FLUSH_EVERY", 20
            ) or time.monotonic() - self.since >= getattr(
                settings, "SEARCH_MISS_FLUSH_SECONDS", 60
            )
            if not due:
                return
            counts, self.counts = self.counts, Counter()
            self.since = time.monotonic()
        write_misses(counts)


_misses = _MissBuffer()


def record_miss(query):
    """Count a search that found nothing. Never raises: counting is not worth a
    failed page."""
    try:
        words = normalised_words(query)
        if words:
            _misses.add(words)
    except Exception:
        logger.warning(
            "A search that found nothing could not be counted", exc_info=True
        )


def write_misses(counts):
    """Add ``counts`` ({words: n}) to the stored counts, each in its own savepoint;
    a count that cannot be written is logged and dropped."""
    model = apps.get_model("core", "SearchMiss")
    now = timezone.now()
    for words, number in counts.items():
        try:
            with transaction.atomic():
                updated = model.objects.filter(query=words).update(
                    count=F("count") + number, last_seen_at=now
                )
                if not updated:
                    try:
                        with transaction.atomic():
                            model.objects.create(
                                query=words, count=number, last_seen_at=now
                            )
                    except IntegrityError:
                        # Another process wrote the same words first.
                        model.objects.filter(query=words).update(
                            count=F("count") + number, last_seen_at=now
                        )
        except DatabaseError:
            logger.warning("Search misses could not be written", exc_info=True)


def flush_misses():
    """Write what the buffer holds now (tests, and a process about to stop)."""
    with _misses.lock:
        counts, _misses.counts = _misses.counts, Counter()
        _misses.since = time.monotonic()
    write_misses(counts)
