"""What a public list accepts from its query string (core.listing.params)."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from core.listing.params import (
    MAX_NAME_LENGTH,
    MAX_PARAMETERS,
    MAX_VALUE_LENGTH,
    MAX_VALUES_PER_PARAMETER,
    clean_params,
    query_string,
    toggled,
)


def cleaned(pairs):
    """clean_params of a query string built from (name, value) pairs."""
    return clean_params(QueryDict(urlencode(pairs)))


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("\x00financial", "financial"),
        ("finan\x00cial\x00", "financial"),
        ("red\x01\x08\x1b flags\x7f", "red flags"),
        ("\x0b\x0c\x0e\x1fbank", "bank"),
        # Tab and newline are text someone may paste; only the ends are trimmed.
        ("red\tflags\nbank", "red\tflags\nbank"),
        ("  bank  ", "bank"),
    ],
)
def test_control_characters_are_removed_from_values(value, kept):
    assert cleaned([("q", value)]).getlist("q") == [kept]


@pytest.mark.parametrize("value", ["", "   ", "\x00", "\x00\x01 \x7f"])
def test_a_value_with_nothing_left_is_dropped(value):
    assert "sector" not in cleaned([("sector", value), ("kind", "tool")])


@pytest.mark.parametrize("name", ["sec\x00tor", "\x00", "sector\x1b"])
def test_a_name_with_a_control_character_is_dropped_whole(name):
    # Not repaired into "sector": a name nobody typed is not guessed at.
    assert dict(cleaned([(name, "financial"), ("kind", "tool")]).lists()) == {
        "kind": ["tool"]
    }


@pytest.mark.parametrize("padding", ["", "\x00" * 5, "   "])
def test_a_long_value_is_cut_to_the_limit_after_cleaning(padding):
    value = padding + "a" * (MAX_VALUE_LENGTH + 50)

    assert cleaned([("q", value)])["q"] == "a" * MAX_VALUE_LENGTH


def test_a_repeated_value_is_kept_once_in_first_seen_order():
    pairs = [("sector", "financial")] * 5 + [
        ("sector", "supply-chain"),
        ("sector", " financial\x00"),
        ("sector", "financial"),
    ]

    assert cleaned(pairs).getlist("sector") == ["financial", "supply-chain"]


def test_the_first_50_of_more_than_50_values_are_kept():
    values = [f"sector-{n}" for n in range(MAX_VALUES_PER_PARAMETER + 10)]

    kept = cleaned([("sector", value) for value in values]).getlist("sector")

    assert kept == values[:MAX_VALUES_PER_PARAMETER]


def test_repeats_do_not_use_up_the_50_values():
    values = ["financial"] * 200 + [f"sector-{n}" for n in range(60)]

    kept = cleaned([("sector", value) for value in values]).getlist("sector")

    assert kept == ["financial"] + [f"sector-{n}" for n in range(49)]


def test_a_name_longer_than_the_limit_is_dropped():
    at_limit, too_long = "a" * MAX_NAME_LENGTH, "b" * (MAX_NAME_LENGTH + 1)

    params = cleaned([(at_limit, "x"), (too_long, "y")])

    assert list(params) == [at_limit]


def test_only_the_first_100_names_are_read():
    names = [f"p{n}" for n in range(MAX_PARAMETERS + 20)]

    params = cleaned([(name, "x") for name in names])

    assert list(params) == names[:MAX_PARAMETERS]


def test_cleaning_leaves_the_request_data_untouched():
    data = QueryDict("sector=financial&sector=financial&q=%00bank")

    clean_params(data)

    assert data.getlist("sector") == ["financial", "financial"]
    assert data["q"] == "\x00bank"


# query_string and toggled ----------------------------------------------------------


def test_query_string_drops_the_page_and_keeps_the_rest():
    params = QueryDict("q=bank&sector=financial&sector=supply-chain&page=3")

    assert query_string(params) == "?q=bank&sector=financial&sector=supply-chain"


def test_query_string_applies_changes():
    params = QueryDict("q=bank&sector=financial&kind=tool&page=2")

    changed = query_string(params, {"sector": ["technology", "supply-chain"]})
    removed = query_string(params, {"sector": [], "kind": None})

    assert changed == "?q=bank&sector=technology&sector=supply-chain&kind=tool"
    assert removed == "?q=bank"
    assert params.getlist("sector") == ["financial"]


def test_query_string_of_nothing_is_a_bare_question_mark():
    assert query_string(QueryDict("page=4")) == "?"
    assert query_string(QueryDict(""), {"q": None}) == "?"


def test_query_string_encodes_values():
    params = QueryDict(mutable=True)
    params.setlist("q", ["“worker voice” & co"])

    assert QueryDict(query_string(params)[1:])["q"] == "“worker voice” & co"


_names = st.sampled_from(["q", "sector", "page", "with", "é&="])
_values = st.lists(st.text(max_size=6), max_size=3)


@given(
    pairs=st.lists(st.tuples(_names, st.text(max_size=6)), max_size=8),
    changes=st.dictionaries(_names, st.none() | _values, max_size=3),
)
def test_query_string_is_the_urlencoded_copy_with_the_changes_made(pairs, changes):
    params = QueryDict(mutable=True)
    for name, value in pairs:
        params.appendlist(name, value)
    # Django's own encoding of the copy, as a link from these parameters reads.
    copy = params.copy()
    copy.pop("page", None)
    for name, values in changes.items():
        if values:
            copy.setlist(name, values)
        else:
            copy.pop(name, None)

    assert query_string(params, changes) == f"?{copy.urlencode()}"


def test_toggled_adds_a_value_beside_the_others_and_resets_the_page():
    params = QueryDict("sector=financial&q=bank&page=2")

    assert toggled(params, "sector", "technology") == (
        "?sector=financial&sector=technology&q=bank"
    )
    assert toggled(params, "kind", "tool") == "?sector=financial&q=bank&kind=tool"


def test_toggled_removes_only_that_value_and_resets_the_page():
    params = QueryDict("sector=financial&sector=technology&q=bank&page=2")

    assert toggled(params, "sector", "financial") == "?sector=technology&q=bank"
    assert toggled(QueryDict("q=bank"), "q", "bank") == "?"
