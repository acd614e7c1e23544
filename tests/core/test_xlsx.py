"""The XLSX writer: the CSV's columns and rows as a spreadsheet, read by openpyxl."""

import csv
import io
import os
import subprocess
import tempfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
import time_machine
from django.core.signals import request_finished
from django.db import close_old_connections

from core.listing.csv import Column, csv_response, protect
from core.listing.xlsx import xlsx_response
from practices.export import columns as practice_columns
from practices.export import export_rows
from practices.models import Practice
from tests.factories import PracticeFactory
from tests.test_csv_spreadsheet import read_cells, soffice

pytestmark = pytest.mark.django_db

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example/","Click me")',
    "+1",
    "@SUM(A1)",
    "-2+3",
]
ROWS = [
    {
        "title": "Côte d'Ivoire cocoa audits",
        "city": "São Paulo",
        "theme": "الاتجار بالبشر",
        "year": 2016,
        "tags": ["cocoa", "Côte d'Ivoire", "", None, "audits"],
    },
    {
        "title": FORMULA_LIKE[0],
        "city": FORMULA_LIKE[1],
        "theme": FORMULA_LIKE[2],
        "year": None,
        "tags": [FORMULA_LIKE[3]],
    },
    {"title": "Plain", "city": "", "theme": None, "year": 0, "tags": []},
]
COLUMNS = [Column(name, lambda row, name=name: row[name]) for name in ROWS[0]]
EXPECTED = [
    ("title", "city", "theme", "year", "tags"),
    (
        "Côte d'Ivoire cocoa audits",
        "São Paulo",
        "الاتجار بالبشر",
        2016,
        "cocoa; Côte d'Ivoire; audits",
    ),
    (*FORMULA_LIKE[:3], None, FORMULA_LIKE[3]),
    ("Plain", None, None, 0, None),
]


def content(response):
    body = b"".join(response.streaming_content)
    # Closing a response sends request_finished, whose handler would close the
    # test's database connection (the test client detaches it the same way).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return body


def open_sheet(body):
    return openpyxl.load_workbook(io.BytesIO(body)).active


def values(sheet):
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """The temporary directory the writer uses, private to this test."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def test_cells_hold_the_plain_values(private_tmp):
    sheet = open_sheet(content(xlsx_response(ROWS, COLUMNS, "practices")))

    assert values(sheet) == EXPECTED


def test_formula_like_text_is_a_string_cell_not_a_formula(tmp_path, private_tmp):
    body = content(xlsx_response(ROWS, COLUMNS, "practices"))
    sheet = open_sheet(body)
    (tmp_path / "out.xlsx").write_bytes(body)
    cells = read_cells(tmp_path / "out.xlsx")

    formula_like = [sheet["A3"], sheet["B3"], sheet["C3"], sheet["E3"]]
    assert [cell.value for cell in formula_like] == FORMULA_LIKE
    assert {cell.data_type for cell in formula_like} == {"s"}
    # No ' guard is needed: the file itself says "text", not a spreadsheet's guess.
    assert all(cell["formula"] is None for cell in cells.values())
    assert {cells[3, column]["type"] for column in "ABCE"} == {"inlineStr"}
    assert (sheet["D2"].data_type, sheet["D4"].data_type) == ("n", "n")


def test_header_is_bold_frozen_and_filters_the_data(private_tmp):
    sheet = open_sheet(content(xlsx_response(ROWS, COLUMNS, "practices")))

    assert [cell.value for cell in sheet[1]] == list(EXPECTED[0])
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E4"
    assert sheet.title == "practices"


def test_an_empty_export_is_a_header_row(private_tmp):
    sheet = open_sheet(content(xlsx_response([], COLUMNS, "practices")))

    assert values(sheet) == [EXPECTED[0]]
    assert sheet.auto_filter.ref == "A1:E1"


def test_sheet_title_can_differ_from_the_file_name(private_tmp):
    response = xlsx_response(ROWS, COLUMNS, "practices", sheet_title="Practices")

    assert open_sheet(content(response)).title == "Practices"


def test_filename_content_type_and_length(private_tmp):
    response = xlsx_response(ROWS, COLUMNS, "practices", today=date(2024, 3, 5))

    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Content-Disposition"] == (
        'attachment; filename="practices-2024-03-05.xlsx"'
    )
    assert int(response["Content-Length"]) == len(content(response))


def test_filename_carries_the_date_of_the_download(private_tmp):
    with time_machine.travel(datetime(2024, 3, 5, 12, tzinfo=UTC), tick=False):
        response = xlsx_response(ROWS, COLUMNS, "organisations")
    content(response)

    assert response["Content-Disposition"] == (
        'attachment; filename="organisations-2024-03-05.xlsx"'
    )


def test_every_row_of_a_long_export_is_present(private_tmp):
    rows = [
        {"title": f"Practice {n}", "city": "São Paulo", "theme": "", "year": n}
        for n in range(2_500)
    ]
    columns = COLUMNS[:4]

    sheet = open_sheet(content(xlsx_response(iter(rows), columns, "practices")))

    assert values(sheet)[1:] == [
        (f"Practice {n}", "São Paulo", None, n) for n in range(2_500)
    ]
    assert sheet.auto_filter.ref == "A1:D2501"


def test_text_is_capped_at_excels_cell_limit_without_splitting_a_character(
    private_tmp,
):
    rows = [{"title": "a" * 40_000, "city": "\N{GRINNING FACE}" * 20_000}]

    sheet = open_sheet(content(xlsx_response(rows, COLUMNS[:2], "practices")))

    assert sheet["A2"].value == "a" * 32_767
    # Excel counts UTF-16 units: a character beyond U+FFFF is two of them.
    assert sheet["B2"].value == "\N{GRINNING FACE}" * 16_383


def test_nothing_is_left_in_the_temp_dir(private_tmp):
    response = xlsx_response(ROWS * 1_000, COLUMNS, "practices")
    assert os.listdir(private_tmp) == []

    body = content(response)

    assert response.file_to_stream.closed
    assert os.listdir(private_tmp) == []
    assert len(values(open_sheet(body))) == 3_001


def test_rows_that_fail_midway_leave_nothing_behind(private_tmp):
    def rows():
        yield from ROWS * 500
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        xlsx_response(rows(), COLUMNS, "practices")

    assert os.listdir(private_tmp) == []


def test_more_rows_than_a_sheet_holds_is_an_error_not_a_short_file(
    private_tmp, monkeypatch
):
    monkeypatch.setattr("core.listing.xlsx.MAX_ROWS", 3)

    with pytest.raises(ValueError, match="at most 3 rows"):
        xlsx_response(ROWS, COLUMNS, "practices")

    assert os.listdir(private_tmp) == []


def test_practices_hold_the_csv_cells_without_the_guard(rf, taxonomy, private_tmp):
    PracticeFactory(
        published=True,
        title='=HYPERLINK("https://evil.example","x")',
        summary="Growers in Côte d'Ivoire and São Paulo.",
        countries=[taxonomy["ivory_coast"], taxonomy["nigeria"]],
        tags=["+cmd", "الاتجار بالبشر"],
        start_year=2016,
        end_year=None,
    )
    PracticeFactory(published=True, title="Plain title", outcomes="")
    columns = practice_columns(rf.get("/practices/export.xlsx"))
    published = Practice.objects.published().order_by("title")

    exported = content(csv_response(export_rows(published), columns, "practices"))
    sheet = open_sheet(content(xlsx_response(export_rows(published), columns, "p")))

    as_csv = [
        ["" if value is None else str(protect(value)) for value in row]
        for row in values(sheet)
    ]
    assert as_csv == list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert sheet["D2"].value == "Côte d'Ivoire; Nigeria"
    assert sheet["K2"].value == 2016


def test_libreoffice_reads_the_accents_with_no_import_options(tmp_path, private_tmp):
    """The CSV needs --infilter with the character set; the XLSX needs nothing."""
    source = tmp_path / "practices.xlsx"
    source.write_bytes(content(xlsx_response(ROWS, COLUMNS, "practices")))
    out = tmp_path / "out"

    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--norestore",
            # Export options only (comma, ", UTF-8), so the bytes can be decoded.
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )

    rows = list(csv.reader(io.StringIO((out / "practices.csv").read_text("utf-8"))))
    assert rows == [
        ["" if value is None else str(value) for value in row] for row in EXPECTED
    ]
