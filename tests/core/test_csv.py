"""The one CSV writer (core.listing.csv): cells a spreadsheet cannot run, numbers
kept as numbers, lists in one cell, a BOM and a header first."""

import csv
import io
from datetime import date

import pytest

from core.listing.csv import BOM, Column, cell, csv_response, csv_rows


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_with_a_formula_trigger_is_prefixed_with_a_quote(trigger):
    assert cell(f"{trigger}HYPERLINK(1)") == f"'{trigger}HYPERLINK(1)"


@pytest.mark.parametrize(
    "text", ["Plain title", "a-b = c", "1+1", " =not first", "", "'already quoted"]
)
def test_other_text_is_kept_as_it_is(text):
    assert cell(text) == text


@pytest.mark.parametrize("number", [0, 2017, -5])
def test_whole_numbers_stay_numbers(number):
    # Negative numbers included: a number is not a formula, and a quote would make
    # a year column text in a spreadsheet.
    assert cell(number) == number
    assert type(cell(number)) is int


def test_none_is_an_empty_cell():
    assert cell(None) == ""


@pytest.mark.parametrize(("value", "shown"), [(True, "yes"), (False, "no")])
def test_booleans_read_yes_or_no(value, shown):
    # bool is an int in Python: without its own rule True would export as 1.
    assert cell(value) == shown


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (["Supply chains", "Financial sector"], "Supply chains; Financial sector"),
        (("Nigeria",), "Nigeria"),
        (["a", None, "", "b"], "a; b"),
        ([2016, 2020], "2016; 2020"),
        ([], ""),
        # The cell as a whole starts with the trigger, so the whole cell is guarded.
        (["=cmd", "banks"], "'=cmd; banks"),
        (["banks", "=cmd"], "banks; =cmd"),
    ],
)
def test_lists_are_joined_in_one_cell_with_semicolons(values, shown):
    assert cell(values) == shown


def test_other_values_are_written_as_their_text():
    assert cell(date(2024, 3, 5)) == "2024-03-05"


COLUMNS = [
    Column("title", lambda row: row["title"]),
    Column("year", lambda row: row["year"]),
    Column("tags", lambda row: row["tags"]),
]
ROWS = [
    {"title": "Bank, red flags", "year": 2016, "tags": ["banks", "red flags"]},
    {"title": '=HYPERLINK("x")', "year": None, "tags": []},
    {"title": "Two\nlines", "year": 2020, "tags": ["x"]},
]


def test_the_file_starts_with_a_bom_and_the_header():
    lines = list(csv_rows(ROWS, COLUMNS))

    assert lines[0] == BOM + "title,year,tags\r\n"
    assert len(lines) == 1 + len(ROWS)


def test_each_row_is_one_csv_record_of_its_cells():
    text = "".join(csv_rows(ROWS, COLUMNS))

    records = list(csv.reader(io.StringIO(text[len(BOM) :], newline="")))

    assert records == [
        ["title", "year", "tags"],
        ["Bank, red flags", "2016", "banks; red flags"],
        ['\'=HYPERLINK("x")', "", ""],
        ["Two\nlines", "2020", "x"],
    ]


def test_the_response_streams_a_dated_utf8_csv():
    response = csv_response(iter(ROWS), COLUMNS, "practices", today=date(2024, 3, 5))

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="practices-2024-03-05.csv"'
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(BOM + "title,year,tags\r\n")
    assert body.count("\r\n") == 1 + len(ROWS)
