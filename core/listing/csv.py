"""The one CSV writer: streamed, UTF-8 with BOM, dated names, formula-safe cells.

Two roads to the same bytes. Rows built in Python (``csv_response``) serve every
list on every database. On PostgreSQL, a list whose columns all declare their SQL
(``Column.sql``) is written by the database itself (``queryset_csv_response``):
``COPY (SELECT ...) TO STDOUT`` through psycopg, each cell made plain and safe in
SQL, so no row is built in Python. tests/core/test_copy_export.py holds the two
roads to the same bytes.
"""

import csv
from dataclasses import dataclass
from datetime import date
from itertools import chain, islice

from django.db import connections
from django.db.models import F, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import NullIf, RowNumber
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
    #: The same value in SQL, for the PostgreSQL COPY export: an expression over
    #: the list's queryset (text or a whole number, NULL or "" when empty), or a
    #: ``Joined`` for a multi-valued column. ``None``: the column has no SQL, and
    #: its list is exported through ``value``, on every database.
    sql: object = None

    @property
    def is_number(self):
        return self.type in (int, int | None)


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
    # The first row is read before the response starts: a database that cannot be
    # read then fails the request (503) instead of cutting a file after its header.
    rows = iter(rows)
    rows = chain(list(islice(rows, 1)), rows)
    return _response(csv_rows(rows, columns), stem, today)


def queryset_csv_response(queryset, rows, columns, stem, *, today=None):
    """``queryset``'s rows as ``<stem>-YYYY-MM-DD.csv``: written by PostgreSQL's COPY
    when every column declares its SQL, else built in Python from
    ``rows(queryset)``. The same bytes either way."""
    if connections[queryset.db].vendor != "postgresql" or any(
        column.sql is None for column in columns
    ):
        return csv_response(rows(queryset), columns, stem, today=today)
    # As above, a database that cannot be read fails the request before the
    # response starts. Not by starting the COPY: until its last row, a COPY holds
    # the connection, and a query anyone made on it before the response is read
    # (a middleware, a session save) would wait for ever.
    queryset.exists()
    return _response(copy_lines(queryset, columns), stem, today)


def _response(lines, stem, today):
    today = today or date.today()
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{stem}-{today.isoformat()}.csv"'
    )
    return response


@dataclass(frozen=True)
class Joined:
    """A multi-valued column's SQL: its values joined as ``plain_value`` joins them
    (empty ones left out; none gives an empty cell), in ``order_by`` order.

    ``rows``: a QuerySet of the related rows, ``key`` the field naming the list's row
    each belongs to, ``expression`` the value (a field name or an expression). The
    COPY export groups them by ``key`` once for the whole list, a join rather than
    a subquery per row. ``also``: more QuerySets of related rows with the same
    fields, for a column read from one of several relations; a row of the list must
    have related rows in one of them at most.
    """

    rows: object
    key: str
    expression: object
    order_by: tuple
    also: tuple = ()

    def grouped(self, keys):
        """(key, joined values) of the rows whose key is among ``keys`` (an
        expression: the list's keys)."""
        from django.contrib.postgres.aggregates import StringAgg

        expression = self.expression
        if isinstance(expression, str):
            expression = F(expression)
        grouped = [
            rows.filter(**{f"{self.key}__in": keys})
            .order_by()
            .values(self.key)
            .annotate(
                joined=StringAgg(
                    NullIf(expression, Value("")),
                    delimiter=MULTI_VALUE_SEPARATOR,
                    order_by=self.order_by,
                )
            )
            .values_list(self.key, "joined")
            for rows in (self.rows, *self.also)
        ]
        first, *others = grouped
        return first.union(*others, all=True) if others else first


def _sql_char(char):
    return f"'{char}'" if char.isprintable() else f"chr({ord(char)})"


FORMULA_TRIGGERS_SQL = ", ".join(_sql_char(char) for char in FORMULA_TRIGGERS)


def _cell_sql(column, name):
    """``cell()`` in SQL, for the cell of ``column`` read from ``name``."""
    if column.is_number:
        return name
    text = f"NULLIF({name}::text, '')"
    return (
        f"CASE WHEN left({text}, 1) IN ({FORMULA_TRIGGERS_SQL}) "
        f"THEN '''' || {text} ELSE {text} END"
    )


def _compiled(queryset):
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def copy_statement(queryset, columns):
    """The ``COPY ... TO STDOUT`` of ``queryset``'s rows in its order, a line of
    ``columns`` per row, and its parameters (psycopg binds them client-side).

    The list's own columns and its row number in the list's order come from one
    query; each ``Joined`` column from one grouped query over the related rows of
    the list's keys (kept once, in ``copy_keys``), joined to it.
    """
    missing = [column.header for column in columns if column.sql is None]
    if missing:
        raise ValueError(f"Export columns without SQL: {', '.join(missing)}")
    queryset = queryset.prefetch_related(None)
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
    own = {
        f"cell_{i}": column.sql
        for i, column in enumerate(columns)
        if not isinstance(column.sql, Joined)
    }
    base = (
        queryset.annotate(
            copy_key=F("pk"),
            copy_row=Window(RowNumber(), order_by=ordering),
            **own,
        )
        .order_by()
        .values_list("copy_key", "copy_row", *own)
    )
    keys_sql, keys_params = _compiled(queryset.order_by().values("pk"))
    base_sql, base_params = _compiled(base)
    params = [*keys_params, *base_params]
    joins, cells = [], []
    for i, column in enumerate(columns):
        name = f"cell_{i}"
        if isinstance(column.sql, Joined):
            grouped = column.sql.grouped(RawSQL("SELECT pk FROM copy_keys", ()))
            sql, grouped_params = _compiled(grouped)
            joins.append(
                f"LEFT JOIN ({sql}) AS {name} ({name}_key, {name}) "
                f"ON {name}.{name}_key = rows.copy_key"
            )
            params += grouped_params
            cells.append(_cell_sql(column, f'{name}."{name}"'))
        else:
            cells.append(_cell_sql(column, f'rows."{name}"'))
    statement = (
        f"COPY (WITH copy_keys (pk) AS MATERIALIZED ({keys_sql}) "
        f"SELECT {', '.join(cells)} FROM ({base_sql}) AS rows {' '.join(joins)} "
        "ORDER BY rows.copy_row) TO STDOUT (FORMAT csv)"
    )
    return statement, params


def copy_lines(queryset, columns, *, block_size=1 << 16):
    """Yield the CSV file of ``queryset``'s rows, as PostgreSQL's COPY writes them, in
    blocks of about ``block_size`` bytes: the BOM and the header line first.

    COPY ends a line with LF where the csv module (and RFC 4180) ends it with CRLF.
    The server sends each row as one message, so a message's last byte is its line
    end; a line break inside a quoted cell stays as it is, as the csv module keeps it.
    """
    statement, params = copy_statement(queryset, columns)
    header = next(csv_rows((), columns)).encode()
    with (
        connections[queryset.db].cursor() as cursor,
        cursor.cursor.copy(statement, params) as copy,
    ):
        block, size = [header], len(header)
        for data in copy:
            block.append(data[:-1])
            block.append(b"\r\n")
            size += len(data) + 1
            if size >= block_size:
                yield b"".join(block)
                block, size = [], 0
        yield b"".join(block)
