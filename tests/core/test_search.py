"""Reading a search query (core.search): what is cleaned away, and how the SQLite
fallback splits it into required and excluded terms."""

import pytest

from core.search import MAX_QUERY_LENGTH, clean_query, parse_terms


@pytest.mark.parametrize(
    ("query", "required", "excluded"),
    [
        ("worker voice", ["worker", "voice"], []),
        ('"worker voice" app', ["worker voice", "app"], []),
        ('"  worker   voice "', ["worker   voice"], []),
        ("hotline -audit", ["hotline"], ["audit"]),
        ('hotline -"forced labour"', ["hotline"], ["forced labour"]),
        ('-"forced labour" -audit', [], ["forced labour", "audit"]),
        # "or" joins words on PostgreSQL; the fallback does not look for the word.
        ("hotline or app", ["hotline", "app"], []),
        ("hotline OR app Or voice", ["hotline", "app", "voice"], []),
        ('"this or that"', ["this or that"], []),
        # Empty quotes, alone or negated, are nothing to look for.
        ('""', [], []),
        ('"" -""', [], []),
        ('hotline ""', ["hotline"], []),
        # An unbalanced quote is not an error: the word is still looked for.
        ('"unbalanced', ["unbalanced"], []),
        ("don't", ["don't"], []),
        ("", [], []),
    ],
)
def test_parse_terms(query, required, excluded):
    assert parse_terms(query) == (required, excluded)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (None, ""),
        ("", ""),
        ("  bank  ", "bank"),
        ("bank\x00hotline", "bank hotline"),
        ("red\t\n  flags\x1b\x7f", "red flags"),
    ],
)
def test_clean_query_replaces_control_characters_and_collapses_spaces(raw, cleaned):
    assert clean_query(raw) == cleaned


def test_clean_query_cuts_a_long_query():
    assert clean_query("bank " * 100) == ("bank " * 40).strip()
    assert len(clean_query("x" * 500)) == MAX_QUERY_LENGTH
