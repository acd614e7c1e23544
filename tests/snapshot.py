"""The reference content, loaded once a session and copied into each test asking for it.

Loading runs the loader's forms, revisions and signals for every row, seconds each
time, and leaves the same rows each time. So the session loads it once, in a
transaction rolled back at once, and keeps the rows of every table the load
changed; a test gets those rows back with one INSERT a table, then its search is
refreshed and the content version bumped, as after a load. The loader's own tests
(tests/test_load_reference.py, tests/test_reference_content.py) still run it.

Rows are kept as dicts of column values: on PostgreSQL read and written as JSON
(``json_agg``, ``json_populate_recordset``), so that every column type (a
``tsvector``, a ``jsonb``) comes back as it was. Content type ids are kept by name:
a browser test's flush makes the content types again under new ids.
"""

import json

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from core.models import ContentChange, ContentVersion
from practices.search import refresh_search_vectors

#: Tables a load may touch that are not the content: the version is bumped
#: instead, and content types and permissions are made by migrate.
NOT_COPIED = {ContentType, Permission, ContentVersion, ContentChange}


def _models():
    seen, found = set(), []
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model in NOT_COPIED or model._meta.proxy or table in seen:
            continue
        seen.add(table)
        found.append(model)
    return found


def _rows(cursor, table):
    quoted = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        cursor.execute(f"SELECT coalesce(json_agg(t), '[]')::text FROM {quoted} t")
        return json.loads(cursor.fetchone()[0])
    cursor.execute(f"SELECT * FROM {quoted}")
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _same(before, after):
    def key(rows):
        return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)

    return key(before) == key(after)


def _content_type_columns(model):
    return [
        field.column
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is ContentType
    ]


class ReferenceSnapshot:
    """The rows the reference loader leaves, by table, taken from one real load."""

    def __init__(self):
        ContentType.objects.clear_cache()
        models = _models()
        with transaction.atomic(), connection.cursor() as cursor:
            before = {model: _rows(cursor, model._meta.db_table) for model in models}
            call_command("load_reference", verbosity=0)
            self.tables = {}
            for model in models:
                rows = _rows(cursor, model._meta.db_table)
                if not _same(before[model], rows):
                    self.tables[model] = rows
            self.content_types = {
                pk: (app_label, name)
                for pk, app_label, name in ContentType.objects.values_list(
                    "pk", "app_label", "model"
                )
            }
            transaction.set_rollback(True)
        ContentType.objects.clear_cache()

    def restore(self):
        """Make the tables the load changed hold what it left, as after a load."""
        ContentType.objects.clear_cache()
        now = {
            (app_label, name): pk
            for pk, app_label, name in ContentType.objects.values_list(
                "pk", "app_label", "model"
            )
        }
        ids = {old: now[named] for old, named in self.content_types.items()}
        with transaction.atomic(), connection.cursor() as cursor:
            for model, rows in self.tables.items():
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")
                columns = _content_type_columns(model)
                if columns:
                    rows = [
                        {**row, **{column: ids[row[column]] for column in columns}}
                        for row in rows
                    ]
                self._insert(cursor, table, rows)
            for sql in connection.ops.sequence_reset_sql(no_style(), self.tables):
                cursor.execute(sql)
            # What a load does last: the search of every practice, a new version.
            refresh_search_vectors()

    @staticmethod
    def _insert(cursor, table, rows):
        if not rows:
            return
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} SELECT * FROM "
                f"json_populate_recordset(NULL::{table}, %s::json)",
                [json.dumps(rows)],
            )
            return
        columns = list(rows[0])
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",
            [[row[column] for column in columns] for row in rows],
        )
