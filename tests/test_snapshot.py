"""The tests' copy of the reference content (tests.snapshot) is what a load leaves:
tests that ask for ``reference_content`` see what a real load gives, a new content
version included."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.postgres.search import SearchVectorField
from django.core.management import call_command
from django.db import connection, models, transaction

from core.listing.cache import content_version
from tests.snapshot import _models, _rows


def _content(model):
    """A table's rows without what differs between two loads of the same files:
    ids and keys (a PostgreSQL sequence never goes back), times, serialized rows
    (which hold both) and search vectors."""
    skipped = {
        field.column
        for field in model._meta.concrete_fields
        if field.primary_key
        or field.is_relation
        # Search vectors are built again by the copy, the positions of partners'
        # names following the order their rows are read in (the same words).
        or isinstance(
            field, models.DateTimeField | models.DateField | SearchVectorField
        )
    }
    # A generic key, or a row named by model and key (core.LoadedRow).
    skipped |= {"object_id"} | {
        model._meta.get_field(field.fk_field).column
        for field in model._meta.private_fields
        if isinstance(field, GenericForeignKey)
    }
    if model._meta.app_label == "reversion":
        skipped.add("serialized_data")
    with connection.cursor() as cursor:
        rows = _rows(cursor, model._meta.db_table)
    return sorted(
        repr(
            sorted((name, value) for name, value in row.items() if name not in skipped)
        )
        for row in rows
    )


def _everything():
    return {model._meta.db_table: _content(model) for model in _models()}


def test_the_copied_reference_content_is_what_a_load_leaves(db, reference_snapshot):
    before = content_version()
    with transaction.atomic():
        call_command("load_reference", verbosity=0)
        # Pages cached, and a facet index, from before the load are not used again.
        assert content_version() != before
        loaded = _everything()
        transaction.set_rollback(True)
    assert _everything() != loaded

    reference_snapshot.restore()

    copied = _everything()
    assert content_version() != before
    assert copied.keys() == loaded.keys()
    for table, rows in loaded.items():
        assert copied[table] == rows, table
    assert {model._meta.db_table for model in reference_snapshot.tables} >= {
        "practices_practice",
        "partnerships_meeting",
        "reversion_version",
        "core_loadedrow",
    }
