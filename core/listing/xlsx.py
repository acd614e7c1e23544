"""The XLSX twin of the CSV writer: the same columns and rows as a spreadsheet file.

Spreadsheets read an XLSX as UTF-8 whatever their import defaults, which a CSV
cannot promise (LibreOffice ignores its BOM).
"""

import tempfile
from datetime import date
from itertools import chain, islice

import xlsxwriter
from django.http import FileResponse

from core.listing.csv import plain_value

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576  # Excel's, header included
MAX_SHEET_TITLE = 31  # Excel's
WIDTH_SAMPLE_ROWS = 100
MIN_WIDTH = 8
MAX_WIDTH = 60
WORKBOOK_OPTIONS = {
    # One row in memory at a time, strings inline instead of a shared table.
    "constant_memory": True,
    # Every text is written with write_string already; these stay off so that no
    # later write() could turn our data into a formula, a link or a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def xlsx_response(rows, columns, stem, *, today=None, sheet_title=None):
    """``rows`` as ``<stem>-YYYY-MM-DD.xlsx``, one sheet, the header row frozen.

    Takes the ``Column`` objects of ``csv_response``. An XLSX is a zip whose index
    comes last, so the whole workbook is written to an unnamed temporary file before
    the response starts; the response streams that file and closing it deletes it.
    Raises ``ValueError`` beyond Excel's row limit rather than drop rows.
    """
    today = today or date.today()
    # Unnamed (unlinked at once on POSIX), so nothing is left behind whatever happens;
    # not a context manager because the response closes it once it is sent.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        # xlsxwriter's own working files, removed even when reading the rows fails.
        with tempfile.TemporaryDirectory(prefix="xlsx-") as workdir:
            write_workbook(
                output,
                rows,
                columns,
                sheet_title or stem[:MAX_SHEET_TITLE],
                {**WORKBOOK_OPTIONS, "tmpdir": workdir},
            )
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{stem}-{today.isoformat()}.xlsx",
        content_type=CONTENT_TYPE,
    )


def write_workbook(output, rows, columns, sheet_title, options):
    workbook = xlsxwriter.Workbook(output, options)
    sheet = workbook.add_worksheet(sheet_title)
    values = ([plain_value(column.value(row)) for column in columns] for row in rows)
    # Constant-memory mode needs the widths before the first row: guess them from
    # the headers and the first rows.
    sample = list(islice(values, WIDTH_SAMPLE_ROWS))
    for index, column in enumerate(columns):
        sheet.set_column(index, index, width(column.header, [v[index] for v in sample]))

    bold = workbook.add_format({"bold": True})
    for index, column in enumerate(columns):
        sheet.write_string(0, index, column.header, bold)
    sheet.freeze_panes(1, 0)

    last_row = 0
    for last_row, cells in enumerate(chain(sample, values), start=1):
        if last_row >= MAX_ROWS:
            raise ValueError(f"An XLSX sheet holds at most {MAX_ROWS:,} rows.")
        for index, value in enumerate(cells):
            write_cell(sheet, last_row, index, value)
    sheet.autofilter(0, 0, last_row, len(columns) - 1)
    workbook.close()


def write_cell(sheet, row, column, value):
    if value == "":
        return
    if isinstance(value, int):
        sheet.write_number(row, column, value)
    else:
        # Past Excel's 32,767 characters (UTF-16 units) xlsxwriter cuts the text,
        # never inside a character.
        sheet.write_string(row, column, value)


def width(header, values):
    longest = max((len(str(v)) for v in [header, *values]), default=0)
    return min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
