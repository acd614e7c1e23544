"""Search that knows the field, on both databases: synonyms and acronyms editors keep,
accents and case ignored, highlighted snippets, "did you mean", and the searches that
found nothing counted for editors."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core import search
from core.models import SearchMiss, SearchSynonym, Status
from core.search import flush_misses, normalised_words, suggestion, understand
from practices.models import Practice
from tests.factories import (
    ActionPointFactory,
    CountryFactory,
    LessonLearnedFactory,
    OrganisationFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:list")
SEED_MIGRATION = importlib.import_module("core.migrations.0003_cite_search_vocabulary")


@pytest.fixture
def seeded(db):
    """The synonyms the data migration seeds (again, if a flush emptied the table)."""
    SEED_MIGRATION.seed(apps, None)


def found(client, q, url=LIST_URL):
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return {str(item) for item in response.context["object_list"]}


PAIRS = [
    ("THB", "human trafficking"),
    ("TIP", "THB"),
    ("trafficking in persons", "TIP"),
    ("AML", "money laundering"),
    ("CFT", "AML"),
    ("FIU", "financial intelligence unit"),
    ("STR", "SAR"),
    ("suspicious transaction report", "STR"),
    ("CSAM", "OSEC"),
    ("KYC", "know your customer"),
    ("labour", "labor"),
    ("organisation", "organization"),
    ("modern slavery", "forced labour"),
]


@pytest.mark.parametrize(("one", "other"), PAIRS)
def test_each_synonym_pair_finds_the_same_practices_both_ways(
    client, taxonomy, seeded, one, other
):
    for title, summary in (
        ("First", f"Work on {one} with partners."),
        ("Second", f"Work on {other} with partners."),
        ("Third", "Work on fisheries."),
    ):
        PracticeFactory(
            published=True, title=title, summary=summary, description="", outcomes=""
        )

    assert found(client, one) == found(client, other) == {"First", "Second"}
    # Case does not matter, for the synonym as for any word.
    assert found(client, one.upper()) == {"First", "Second"}


def test_synonyms_widen_action_points_lessons_and_the_site_search(
    client, taxonomy, seeded
):
    ActionPointFactory(published=True, text="Brief the FIU on red flags.")
    ActionPointFactory(published=True, text="Train the financial intelligence unit.")
    LessonLearnedFactory(published=True, text="Labor inspectors need data.")
    LessonLearnedFactory(published=True, text="Labour unions join early.")

    points = found(client, "financial intelligence unit", "/action-points/")
    assert len(points) == 2
    assert len(found(client, "labour", "/lessons/")) == 2
    response = client.get(reverse("search"), {"q": "FIU"})
    groups = {group["key"]: group["results"] for group in response.context["groups"]}
    assert len(groups["action_points"]) == 2


def test_a_synonym_editors_add_in_the_admin_applies_at_once(
    client, taxonomy, admin_client
):
    PracticeFactory(published=True, title="Cocoa", summary="Cacao farms.")
    assert found(client, "cocoa") == {"Cocoa"}
    assert found(client, "cacao farm") == {"Cocoa"}
    assert found(client, "chocolate") == set()

    response = admin_client.post(
        reverse("admin:core_searchsynonym_add"),
        {"terms": " chocolate ,  cocoa,cacao ", "note": ""},
    )

    assert response.status_code == 302
    added = SearchSynonym.objects.get(terms__startswith="chocolate")
    assert added.terms == "chocolate, cocoa, cacao"
    assert found(client, "chocolate") == {"Cocoa"}
    SearchSynonym.objects.filter(pk=added.pk).delete()
    assert found(client, "chocolate") == set()


def test_one_term_is_not_a_synonym_group(admin_client):
    response = admin_client.post(
        reverse("admin:core_searchsynonym_add"), {"terms": "cocoa, ", "note": ""}
    )

    assert response.status_code == 200
    assert "Give at least two terms" in response.text
    assert not SearchSynonym.objects.filter(terms__startswith="cocoa").exists()


def test_quotes_and_minus_take_a_word_as_typed(client, taxonomy, seeded):
    PracticeFactory(published=True, title="Labor audits", summary="Audits.")
    PracticeFactory(published=True, title="Labour audits", summary="Audits.")

    assert found(client, '"labor"') == {"Labor audits"}
    assert found(client, "audits -labor") == {"Labour audits"}
    assert found(client, "labor audits") == {"Labor audits", "Labour audits"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("THB shelters", {"Shelters"}),
        ("survivors THB", {"Shelters"}),
        ("THB -shelters", {"Hotline"}),
        ("THB or", {"Shelters", "Hotline"}),
        ("THB cocoa", set()),
    ],
)
def test_synonyms_combine_with_the_other_words(client, taxonomy, seeded, q, expected):
    PracticeFactory(
        published=True,
        title="Shelters",
        summary="Shelters for survivors of human trafficking.",
        description="",
        outcomes="",
    )
    PracticeFactory(
        published=True,
        title="Hotline",
        summary="A hotline on trafficking in persons.",
        description="",
        outcomes="",
    )

    assert found(client, q) == expected


@pytest.mark.postgres
def test_a_stop_word_beside_a_synonym_changes_nothing(client, taxonomy, seeded):
    PracticeFactory(published=True, title="Shelters", summary="Human trafficking.")

    assert found(client, "the THB") == found(client, "THB") == {"Shelters"}


def test_understand_widens_the_longest_synonym_in_the_query(seeded):
    understood = understand("Forced Labor in cocoa")

    assert understood.required == (
        ("Forced Labor", "modern slavery", "forced labour", "forced labor"),
        ("in",),
        ("cocoa",),
    )
    assert understood.rest == "in cocoa"


def test_cote_finds_cote_d_ivoire_without_its_accent(client, taxonomy):
    PracticeFactory(
        published=True,
        title="Cocoa cooperatives",
        summary="Cooperatives in Côte d’Ivoire trace cocoa.",
    )
    PracticeFactory(
        published=True, title="Abidjan port", countries=[taxonomy["ivory_coast"]]
    )
    PracticeFactory(published=True, title="Elsewhere", summary="Coastal shipping.")

    assert found(client, "cote") == {"Cocoa cooperatives", "Abidjan port"}
    assert found(client, "CÔTE") == {"Cocoa cooperatives", "Abidjan port"}
    assert found(client, "cote d'ivoire") == {"Cocoa cooperatives", "Abidjan port"}


def test_snippets_highlight_the_synonyms_of_the_query(client, taxonomy, seeded):
    PracticeFactory(
        published=True,
        title="Audits",
        summary="Inspectors look for forced labour & debt bondage on farms.",
    )

    response = client.get(LIST_URL, {"q": "modern slavery"})

    snippet = response.text.split('<p class="snippet">')[1].split("</p>")[0]
    assert "<mark>forced</mark> <mark>labour</mark>" in snippet.replace(
        "<mark>forced labour</mark>", "<mark>forced</mark> <mark>labour</mark>"
    )
    assert "&amp; debt bondage" in snippet


@pytest.mark.sqlite
def test_the_sqlite_search_matches_at_the_start_of_words(client, taxonomy):
    PracticeFactory(published=True, title="Labourers", summary="Hotline.")
    PracticeFactory(published=True, title="Collaboration", summary="Hotline.")

    assert found(client, "labo") == {"Labourers"}


# Did you mean ---------------------------------------------------------------------


def test_a_misspelling_gets_did_you_mean_with_the_intended_word(client, taxonomy):
    PracticeFactory(
        published=True,
        title="Shelters",
        summary="Survivors of trafficking find shelter and legal aid.",
    )

    response = client.get(LIST_URL, {"q": "trafficing shelter", "sector": "x"})

    assert response.context["result_count"] == 0
    assert response.context["did_you_mean"] == "trafficking shelter"
    assert 'href="?q=trafficking+shelter&amp;sector=x"' in response.text
    assert 'Did you mean <a href="' in response.text
    site = client.get(reverse("search"), {"q": "trafficing"})
    assert site.context["did_you_mean"] == "trafficking"
    assert 'href="?q=trafficking"' in site.text


def test_no_did_you_mean_when_the_words_are_known_or_results_plenty(client, taxonomy):
    for number in range(3):
        PracticeFactory(published=True, title=f"Hotline {number}")

    assert "did_you_mean" not in client.get(LIST_URL, {"q": "hotlin"}).context
    assert suggestion("hotline", [Practice.objects.published()]) == ""
    assert suggestion("xqzvw", [Practice.objects.published()]) == ""


def test_did_you_mean_knows_synonyms_as_words(taxonomy, seeded):
    PracticeFactory(published=True, title="Screening", summary="Screening payments.")

    assert suggestion("KYC screenig", [Practice.objects.published()]) == (
        "KYC screening"
    )


def test_did_you_mean_spells_partners_tags_and_countries_of_published_practices(
    taxonomy,
):
    PracticeFactory(
        published=True,
        title="Screening",
        partners=[OrganisationFactory(name="Polaris Project")],
        tags=["remittances"],
        countries=[CountryFactory(code="NZ")],
    )
    PracticeFactory(
        title="Draft", partners=[OrganisationFactory(name="Quixotic Holdings")]
    )
    published = [Practice.objects.published()]

    assert suggestion("polariss", published) == "polaris"
    assert suggestion("remittance", published) == "remittances"
    assert suggestion("zealnd", published) == "zealand"
    assert suggestion("quixotc", published) == ""


def test_did_you_mean_spells_a_publish_at_once_and_reads_the_texts_once_a_version(
    taxonomy, django_assert_num_queries
):
    from django.core.cache import cache

    PracticeFactory(published=True, title="Screening")
    draft = PracticeFactory(title="Quixotic screening")
    published = [Practice.objects.published()]
    assert suggestion("quixotc", published) == ""

    draft.status = Status.PUBLISHED
    draft.save()
    assert suggestion("quixotc", published) == "quixotic"
    # Kept by the process for this content version: the cache emptied, the texts
    # are not read again (one query: the content version).
    cache.clear()
    with django_assert_num_queries(1):
        assert search.vocabulary(published)["quixotic"] == 1


def test_did_you_mean_reads_a_bounded_sample_of_a_large_collection(
    taxonomy, monkeypatch
):
    for number in range(40):
        PracticeFactory(
            published=True,
            title=f"Practice {number}",
            description=f"Words {'alpha' if number < 20 else 'omega'}ville. " * 20,
        )
    published = [Practice.objects.published()]
    # Twenty descriptions' worth, read in key order: the first twenty's words.
    monkeypatch.setattr(search, "VOCABULARY_CHARACTERS", 20 * 360)
    monkeypatch.setattr(search, "_VOCABULARY_CHUNK", 7)

    words = search.vocabulary(published)

    assert words["alphaville"] == 20 * 20
    assert "omegaville" not in words
    assert words["practice"] == 40


# Searches that found nothing --------------------------------------------------------


def test_searches_that_found_nothing_are_counted_by_their_words_only(
    client, taxonomy, settings, admin_client
):
    settings.SEARCH_MISS_FLUSH_EVERY = 1
    PracticeFactory(published=True, title="Hotline")

    client.get(LIST_URL, {"q": "Ñandú  farms"})
    client.get(LIST_URL, {"q": '"nandu" -farms- farms'})
    client.get(reverse("search"), {"q": "nandu, farms!"})
    client.get(LIST_URL, {"q": "hotline"})  # found something
    client.get(LIST_URL, {"q": "nandu farms", "sector": "financial"})  # a filter
    client.get(reverse("practices:export"), {"q": "nandu farms"})  # an export

    assert list(SearchMiss.objects.values_list("query", "count")) == [
        ("nandu farms", 2),
        ("nandu farms farms", 1),
    ]
    fields = {field.name for field in SearchMiss._meta.get_fields()}
    assert fields == {"id", "query", "count", "last_seen_at"}
    listing = admin_client.get(reverse("admin:core_searchmiss_changelist"))
    assert listing.text.index("nandu farms farms") > listing.text.index("nandu farms</")


def test_counting_waits_for_a_batch_instead_of_writing_each_request(
    client, taxonomy, settings
):
    settings.SEARCH_MISS_FLUSH_EVERY = 5
    for _ in range(3):
        client.get(LIST_URL, {"q": "quokka"})

    assert not SearchMiss.objects.exists()
    flush_misses()
    assert SearchMiss.objects.get().count == 3


def test_a_count_that_cannot_be_written_never_fails_the_page(
    client, taxonomy, settings
):
    settings.SEARCH_MISS_FLUSH_EVERY = 1
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {SearchMiss._meta.db_table}")

    response = client.get(LIST_URL, {"q": "quokka"})
    site = client.get(reverse("search"), {"q": "quokka"})

    assert response.status_code == 200
    assert site.status_code == 200
    # The request's transaction is still usable after the failed write.
    assert Practice.objects.count() == 0


@pytest.mark.parametrize("staff", ["editor", "publisher"])
def test_editors_and_publishers_keep_synonyms_and_read_the_misses(
    client, request, seeded, staff
):
    client.force_login(request.getfixturevalue(staff))
    SearchMiss.objects.create(query="nandu", count=4, last_seen_at=timezone.now())

    synonyms = client.get(reverse("admin:core_searchsynonym_changelist"))
    misses = client.get(reverse("admin:core_searchmiss_changelist"))

    assert synonyms.status_code == 200
    assert "FIU, financial intelligence unit" in synonyms.text
    assert client.get(reverse("admin:core_searchsynonym_add")).status_code == 200
    assert misses.status_code == 200
    assert "nandu" in misses.text
    assert client.get(reverse("admin:core_searchmiss_add")).status_code == 403


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("  Côte   d'Ivoire ", "cote d ivoire"),
        ('"forced labour" -audit OR', "forced labour audit or"),
        ("\x00\x1b", ""),
        ("<script>", "script"),
    ],
)
def test_normalised_words(query, words):
    assert normalised_words(query) == words
