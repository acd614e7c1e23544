"""SQLite's own full-text index (FTS5) for a model whose ``SearchFields`` name one
(``sqlite_index``): the embedded default's counterpart of PostgreSQL's stored search
vector, with the SQLite search's meaning (``core.search``): a needle matches where it
starts a word of a searched field, case and accents ignored.

A row of the index holds two columns of text folded as the search folds it
(``core.search.search_fold``): ``title``, the field the ranking reads, and ``body``,
every other searched field. Values are joined by a newline, which no query holds
(``clean_query``), so that a phrase never runs from one value into the next, and
every word start is marked with WORD_MARK, a control character no query holds either.
FTS5's ``trigram`` tokenizer makes every run of three or more characters findable by
the index; a needle, folded and marked the same way, then matches exactly where it
starts a word: "\\x1elabo" is in "\\x1elabourers", not in "\\x1ecollaboration".

A needle shorter than three characters once marked (a one-letter word) is beyond
trigrams: it is looked for with ``instr()`` over the index's text, a scan in C. A
needle that begins with punctuation ("(ilo") is found wherever it occurs, not only
after a non-letter as the reference match (``core.search.word_match``) would have it.
"""

import re

from django.db.models import Aggregate, Q, TextField
from django.db.models.expressions import RawSQL

#: Put before every word start of the indexed text and of each needle.
WORD_MARK = "\x1e"
#: Between two values of the indexed text.
VALUE_SEPARATOR = "\n"
TITLE, BODY = "title", "body"
_WORD_START = re.compile(r"\b(?=\w)")
# The trigram tokenizer indexes runs of three characters; a shorter needle matches
# no row through MATCH.
_TRIGRAM = 3


class GroupConcat(Aggregate):
    """SQLite's ``group_concat(expression, separator)``."""

    function = "GROUP_CONCAT"
    output_field = TextField()


def create_sql(table):
    # case_sensitive 1: the text is folded already, by the search's own folding,
    # and the needles with it; the tokenizer folding again could only differ.
    return (
        f'CREATE VIRTUAL TABLE IF NOT EXISTS "{table}" USING fts5('
        f"{TITLE}, {BODY}, tokenize = 'trigram case_sensitive 1')"
    )


def drop_sql(table):
    return f'DROP TABLE IF EXISTS "{table}"'


def index_text(text):
    """``text`` as the index holds it (and a needle as it is looked for): folded,
    every word start marked."""
    from core.search import search_fold  # core.search imports this module

    return _WORD_START.sub(WORD_MARK, search_fold(text or ""))


def index_row(values, title_field):
    """(title, body) of the index for ``values``, {searched field: its text, or
    the texts of a relation joined by VALUE_SEPARATOR}."""
    title = values.get(title_field)
    body = VALUE_SEPARATOR.join(
        text for name, text in values.items() if name != title_field and text
    )
    return index_text(title), index_text(body)


def _quoted(needle):
    return '"' + needle.replace('"', '""') + '"'


def matching(table, alternatives, column=None):
    """A condition on the primary key: rows whose index holds one of
    ``alternatives`` at the start of a word, in ``column`` or in any column."""
    needles = [needle for needle in map(index_text, alternatives) if needle]
    long = [needle for needle in needles if len(needle) >= _TRIGRAM]
    short = [needle for needle in needles if len(needle) < _TRIGRAM]
    condition = Q(pk__in=[])
    if long:
        expression = " OR ".join(map(_quoted, long))
        if column:
            expression = f"{column} : ({expression})"
        condition |= Q(
            pk__in=RawSQL(
                f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s', [expression]
            )
        )
    columns = (column,) if column else (TITLE, BODY)
    for needle in short:
        found = " OR ".join(f"instr({name}, %s) > 0" for name in columns)
        condition |= Q(
            pk__in=RawSQL(
                f'SELECT rowid FROM "{table}" WHERE {found}', [needle] * len(columns)
            )
        )
    return condition
