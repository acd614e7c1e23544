"""The one CSV writer: streamed, UTF-8 with BOM, dated names, formula-safe cells."""

import csv
from dataclasses import dataclass
from datetime import date
from itertools import chain, islice

from django.http import StreamingHttpResponse

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MULTI_VALUE_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    header: str
    value: object  # callable(row) -> str | int | None | iterable of str
    #: What ``value`` gives, as the API's OpenAPI document declares it: ``str``,
    #: ``int``, ``list[str]``, or one of them ``| None`` when the cell may be empty.
    type: object = str


def protect(value):
    """Make a text cell inert in spreadsheets: a leading formula trigger gets a '."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def plain_value(value):
    """What a column's value is in any export: text or a whole number, "" if unknown.

    The CSV and XLSX writers share this step; each then makes the cell safe its own way.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return value
    if isinstance(value, list | tuple):
        return MULTI_VALUE_SEPARATOR.join(str(v) for v in value if v not in (None, ""))
    return str(value)


def cell(value):
    return protect(plain_value(value))


class _Echo:
    def write(self, value):
        return value


def csv_rows(rows, columns):
    """Yield encoded CSV lines: a BOM and the header first, then one line per row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([column.header for column in columns])
    for row in rows:
        yield writer.writerow([cell(column.value(row)) for column in columns])


def csv_response(rows, columns, stem, *, today=None):
    """Stream ``rows`` as ``<stem>-YYYY-MM-DD.csv``; memory stays flat for any size."""
    today = today or date.today()
    # The first row is read before the response starts: a database that cannot be
    # read then fails the request (503) instead of cutting a file after its header.
    rows = iter(rows)
    rows = chain(list(islice(rows, 1)), rows)
    response = StreamingHttpResponse(
        csv_rows(rows, columns), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{stem}-{today.isoformat()}.csv"'
    )
    return response
