"""The migration that turns an action point's free-text "derived from" into links
to practices and a note: nothing it does not link is lost."""

from importlib import import_module

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import LoadedRow
from partnerships.models import ActionPoint

data_migration = import_module(
    "partnerships.migrations.0007_links_action_point_practices_data"
)

PRACTICES = [
    ("project-protect-canada", "Project Protect (Canada)"),
    ("tech-coalition-project-protect", "Technology Coalition: Project Protect"),
    ("jmlit-uk", "Joint Money Laundering Intelligence Taskforce (JMLIT, UK)"),
    ("fintel-alliance", "Fintel Alliance (Australia)"),
    ("seafood-task-force", "Seafood Task Force (formerly Shrimp Task Force)"),
    ("gbcat", "Global Business Coalition Against Human Trafficking (GBCAT)"),
]


@pytest.mark.parametrize(
    "text, slugs, note",
    [
        # Names alone: all links, no note.
        (
            "Seafood Task Force; GBCAT",
            ["seafood-task-force", "gbcat"],
            "",
        ),
        # The longest name wins: this is not Canada's Project Protect.
        (
            "Technology Coalition's Project Protect plan",
            ["tech-coalition-project-protect"],
            "Technology Coalition's Project Protect plan",
        ),
        ("Project Protect (Canada)", ["project-protect-canada"], ""),
        # A part that says more than the name keeps its words in the note.
        (
            "JMLIT Operations Group; Fintel Alliance",
            ["jmlit-uk", "fintel-alliance"],
            "JMLIT Operations Group",
        ),
        # What names no practice is kept whole, in its order.
        (
            "UK Modern Slavery Act section 54 statements; Fintel Alliance; "
            "RUSI research",
            ["fintel-alliance"],
            "UK Modern Slavery Act section 54 statements; RUSI research",
        ),
        # A word that merely contains a name is not that name.
        ("Gbcatalogue of cases", [], "Gbcatalogue of cases"),
        ("", [], ""),
    ],
)
def test_matching_turns_names_into_links_and_keeps_the_rest(text, slugs, note):
    assert data_migration.match_derived_from(text, PRACTICES) == (slugs, note)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    ContentType.objects.clear_cache()
    # The models as they are with every other app migrated to its latest.
    others = [
        node for node in executor.loader.graph.leaf_nodes() if node[0] != target[0]
    ]
    return executor.loader.project_state([target, *others]).apps


BEFORE = ("partnerships", "0005_history_version")
AFTER = ("partnerships", "0008_links_remove_action_point_derived_from")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_links_existing_action_points_and_their_load_records():
    old = _migrate(BEFORE)
    kind = old.get_model("practices", "PartnershipKind").objects.create(
        slug="fi-partnership", name="Financial intelligence partnership"
    )
    practice = old.get_model("practices", "Practice").objects.create(
        slug="fintel-alliance",
        title="Fintel Alliance (Australia)",
        summary="Banks and AUSTRAC.",
        kind=kind,
    )
    audience = old.get_model("practices", "Audience").objects.create(
        slug="policymakers", name="Policymakers"
    )
    old_point = old.get_model("partnerships", "ActionPoint")
    text = "Fund PPP secretariats for the long term."
    derived_from = "Fintel Alliance; donor model of an unnamed fund"
    old_point.objects.create(text=text, audience=audience, derived_from=derived_from)
    old_point.objects.create(text="Inspect farms.", audience=audience)
    LoadedRow.objects.create(
        model="partnerships.actionpoint",
        key=text,
        object_id=1,
        values={"text": text, "derived_from": derived_from},
        fixture_digest="0" * 64,
    )

    _migrate(AFTER)

    point = ActionPoint.objects.get(text=text)
    assert [p.pk for p in point.practices.all()] == [practice.pk]
    assert point.derived_note == "donor model of an unnamed fund"
    empty = ActionPoint.objects.get(text="Inspect farms.")
    assert (list(empty.practices.all()), empty.derived_note) == ([], "")
    # The loader's record reads as the row does now, so an unedited row stays so.
    assert LoadedRow.objects.get(key=text).values == {
        "text": text,
        "practices": ["fintel-alliance"],
        "derived_note": "donor model of an unnamed fund",
    }
