"""The SQLite search of practices reads a full-text index (core.fts): it finds what
matching every text finds (the reference the other models still use), and the index
follows every change, a deleted practice included."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.search import _search_simple, understand
from practices.models import Practice, PracticeQuerySet
from practices.search import refresh_sqlite_index
from tests.factories import OrganisationFactory, PracticeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

FIELDS = PracticeQuerySet.search_fields
TABLE = FIELDS.sqlite_index
# The same fields matched text by text, as before the index.
REFERENCE = dataclasses.replace(FIELDS, sqlite_index=None)


def searched(query, fields=FIELDS):
    rows = _search_simple(Practice.objects.published(), understand(query), fields)
    return list(rows.order_by("-rank", "pk").values_list("title", flat=True))


def index_rows():
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT rowid, title, body FROM "{TABLE}" ORDER BY rowid')
        return cursor.fetchall()


@pytest.fixture
def collection(taxonomy):
    PracticeFactory(
        published=True,
        title="Labourers' hotline",
        summary="Migrant workers in Côte d'Ivoire call a hotline.",
        tags=["bank", "fraud alerts"],
        countries=[taxonomy["canada"]],
    )
    PracticeFactory(
        published=True,
        title="Collaboration with banks",
        summary="A bank-led (anti-trafficking) project; a training for staff.",
        description="Straße and STRASSE: both fold alike. Ünïcödé too.",
        partners=[OrganisationFactory(name="Bank Fraud Office")],
    )
    PracticeFactory(
        published=True,
        title="X marks the spot",
        summary="Cote d’Ivoire, with a typographic apostrophe; e-learning.",
        outcomes="Fewer victims: a 40 % drop.",
    )
    PracticeFactory(title="Draft bank hotline", summary="Not yet public.")


@pytest.mark.parametrize(
    "query",
    [
        "labo",
        "hotline",
        "bank",
        "banks",
        "cote",
        "CÔTE",
        "ivoire",
        "d'ivoire",
        "cote d'ivoire",
        '"cote d’ivoire"',
        "strasse",
        "straße",
        "unicode",
        "a",
        "x",
        "40",
        "%",
        "e-learning",
        "learning",
        "anti-trafficking",
        "trafficking",
        "(anti",
        '"bank fraud"',
        '"fraud alerts"',
        '"bank fraud alerts"',
        "bank -fraud",
        "-bank",
        "hotline -canada",
        "labour",
        "collab",
        "ollab",
        "draft",
        'x "',
    ],
)
def test_the_index_finds_what_matching_every_text_finds(collection, query):
    assert searched(query) == searched(query, REFERENCE)


def test_a_phrase_never_runs_from_one_tag_into_the_next(collection):
    # The tags "bank" and "fraud alerts" are two names; the partner's is one.
    assert searched('"bank fraud"') == ["Collaboration with banks"]


def test_a_search_asks_the_index_not_every_text(client, collection):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("practices:list"), {"q": "hotline"})

    assert [p.title for p in response.context["object_list"]] == ["Labourers' hotline"]
    searching = [q["sql"] for q in queries if "portal_word_match" in q["sql"]]
    assert searching == []
    assert any(f'"{TABLE}" MATCH' in q["sql"] for q in queries)


def test_the_index_forgets_a_deleted_practice(collection):
    practice = Practice.objects.get(title="X marks the spot")
    pk = practice.pk

    practice.delete()

    assert pk not in [row[0] for row in index_rows()]
    assert searched("x") == []


def test_rebuilding_the_index_gives_the_rows_each_edit_kept(collection):
    practice = Practice.objects.get(title="Collaboration with banks")
    practice.summary = "Renamed summary."
    practice.save()
    practice.tags.add("cobalt")
    kept = index_rows()

    refresh_sqlite_index()

    assert index_rows() == kept
    assert len(kept) == Practice.objects.count()


WORDS = st.sampled_from(
    ["bank", "Bänk", "co", "côte", "d'ivoire", "a", "labour", "collab", "-", "é", "ß"]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.lists(WORDS, max_size=8).map(" ".join),
    tag=st.sampled_from(["bank", "Bänk", "co", "côte", "labour", "a"]),
    query=st.lists(WORDS, min_size=1, max_size=3).map(" ".join),
)
def test_index_and_reference_agree_on_any_text(taxonomy, text, tag, query):
    practice = PracticeFactory(published=True, title=text, summary=text, tags=[tag])

    assert searched(query) == searched(query, REFERENCE)

    practice.delete()
