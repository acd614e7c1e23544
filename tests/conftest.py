import csv
import io
import os

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations import RunPython
from django.db.migrations.loader import MigrationLoader

from core.listing.csv import BOM
from tests.factories import (
    ActionPointFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    build_taxonomy,
)
from tests.snapshot import ReferenceSnapshot

IN_CI = bool(os.environ.get("CI"))


def _other_database():
    """The marker of the tests for the database this run does not use."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "sqlite" if "postgresql" in engine else "postgres"


def pytest_collection_modifyitems(config, items):
    """Tests for one database only are deselected (not skipped) on the other one, and
    say so: ``postgres`` tests need full-text search, ``sqlite`` tests pin the
    fallback search where it behaves differently."""
    other = _other_database()
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(other) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Said by the process that reports: with pytest-xdist, the workers collect.
    if _other_database() == "postgres":
        terminalreporter.write_line(
            "PostgreSQL-only tests were deselected: set DATABASE_URL to a "
            "PostgreSQL database to run them (.ci/run does)."
        )
    else:
        terminalreporter.write_line(
            "SQLite-only tests were deselected: run without DATABASE_URL "
            "to run them (.ci/run does)."
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped test fails: a missing browser or database must not pass."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI (a failure there): {report.longrepr}"


@pytest.fixture(autouse=True)
def fresh_search_state():
    """Each test's search reads its own synonyms and vocabulary: cached ones, and
    uncounted searches, would outlive the rollback between tests."""
    from django.core.cache import cache

    from core.listing import index
    from core.search import _misses, forget_vocabularies

    cache.clear()
    # The facet index and the vocabularies are keyed by the content version, which
    # the rollback between tests brings back.
    index.clear()
    forget_vocabularies()
    with _misses.lock:
        _misses.counts.clear()


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def body():
    """Reads the text of a response, streamed (an export) or not."""

    def read(response):
        if response.streaming:
            return b"".join(response.streaming_content).decode("utf-8")
        return response.content.decode("utf-8")

    return read


@pytest.fixture
def read_csv(body):
    """Reads a CSV export into dicts, after checking it is UTF-8 with a BOM."""

    def read(response):
        assert response.status_code == 200
        text = body(response)
        assert text.startswith(BOM), "UTF-8 BOM, so Excel reads the accents"
        return list(csv.DictReader(io.StringIO(text[len(BOM) :], newline="")))

    return read


@pytest.fixture(scope="session")
def reference_snapshot(django_db_setup, django_db_blocker):
    """The rows one real load of the reference content leaves (tests.snapshot)."""
    with django_db_blocker.unblock():
        return ReferenceSnapshot()


@pytest.fixture
def reference_content(db, reference_snapshot):
    """The real reference content (fixtures/reference), as the command loads it:
    the rows of the session's one load, copied in (tests.snapshot)."""
    reference_snapshot.restore()


@pytest.fixture
def content(taxonomy):
    """One of each kind of public page's content (tests.test_security PUBLIC_PAGES)."""
    practice = PracticeFactory(
        published=True, slug="shared-red-flags", sectors=[taxonomy["financial"]]
    )
    organisation = OrganisationFactory(slug="global-bank-alliance")
    practice.partners.create(organisation=organisation, role="lead")
    MeetingFactory(published=True, slug="africa-regm")
    ActionPointFactory(published=True)
    return practice


@pytest.fixture
def taxonomy(db):
    """A small, realistic taxonomy for factory-built tests."""
    return build_taxonomy()


def _staff_user(django_user_model, username, group_name):
    user = django_user_model.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _staff_user(django_user_model, "editor", "Editors")


@pytest.fixture
def publisher(db, django_user_model):
    return _staff_user(django_user_model, "publisher", "Publishers")


# The data migrations that decide what each group may do, in the order they run: the
# groups are made, then two models move, with their permissions, into practices.
GROUP_DATA_MIGRATIONS = [
    ("compendium", "0001_editorial_groups"),
    ("practices", "0006_organisation_practicepartner"),
    ("compendium", "0002_cite_search_rights"),
    ("compendium", "0003_strategies_lessons_rights"),
]


@pytest.fixture
def editorial_groups(transactional_db):
    """The Editors and Publishers groups, made again by their data migrations if needed.

    Browser tests run in transactions that end in a flush, which also empties the
    tables a data migration filled; running the real migration code keeps one source
    of truth for what each group may do.
    """
    if Group.objects.filter(name__in=["Editors", "Publishers"]).count() == 2:
        return
    loader = MigrationLoader(connection)
    with connection.schema_editor(atomic=False) as schema_editor:
        for key in GROUP_DATA_MIGRATIONS:
            state = loader.project_state(key)
            for operation in loader.get_migration(*key).operations:
                if isinstance(operation, RunPython):
                    operation.code(state.apps, schema_editor)
