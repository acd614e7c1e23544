"""Searching practices from the list page (`q`) on both databases.

Everywhere: every word must match, case and accents do not matter, title matches come
first, "-word" leaves a word out and snippets highlight the matches. PostgreSQL adds
weights, web-search syntax and stemming.
"""

import operator
import re
from collections import defaultdict
from functools import reduce

import pytest
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from taggit.models import Tag

from compendium.templatetags.compendium import highlight
from core.listing.filters import ListFilterSet
from core.listing.index import published_keys
from core.search import (
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    SEARCH_CONFIG,
    index_scans,
    matching_pks,
    rank_vector,
)
from practices import signals
from practices.filters import PracticeFilterSet
from practices.models import (
    Practice,
    PracticePartner,
    PracticeQuerySet,
    PracticeSearch,
    title_order,
)
from practices.search import ranked_keys, refresh_search_vectors
from tests.factories import OrganisationFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:list")


def found(client, q, **params):
    response = client.get(LIST_URL, {"q": q, **params})
    assert response.status_code == 200
    return [practice.title for practice in response.context["object_list"]]


@pytest.fixture
def hotlines(taxonomy):
    PracticeFactory(
        published=True,
        title="Seafood hotline",
        summary="Fishers report forced labour through a hotline.",
    )
    PracticeFactory(
        published=True,
        title="Bank alerts",
        summary="Banks send alerts on suspicious payments.",
    )
    PracticeFactory(
        published=True,
        title="Bank hotline",
        summary="Bank staff call a hotline when they see red flags.",
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("hotline", {"Seafood hotline", "Bank hotline"}),
        ("bank hotline", {"Bank hotline"}),
        ("BANK Hotline", {"Bank hotline"}),
        ("bank seafood", set()),
        ("hotline -bank", {"Seafood hotline"}),
        ("bank -hotline", {"Bank alerts"}),
        # A quoted phrase after a minus leaves out the phrase whole, not its words.
        ('hotline -"forced labour"', {"Bank hotline"}),
        ('hotline -"labour forced"', {"Seafood hotline", "Bank hotline"}),
    ],
)
def test_every_word_must_match_and_minus_excludes(client, hotlines, q, expected):
    assert set(found(client, q)) == expected


@pytest.mark.sqlite
@pytest.mark.parametrize("q", ["hotline or app", "hotline OR app"])
def test_the_sqlite_search_leaves_out_or_and_requires_every_other_word(
    client, taxonomy, q
):
    # PostgreSQL finds either word (test_web_search_syntax). The fallback cannot, so
    # it drops "or" rather than look for it: no text below holds the letters "or".
    for title in ("Hotline app", "Seafood hotline"):
        PracticeFactory(
            published=True, title=title, summary="Calls.", description="", outcomes=""
        )

    assert found(client, q) == ["Hotline app"]


def test_title_matches_rank_above_other_matches(client, taxonomy):
    # Alphabetically the description-only match would come first.
    PracticeFactory(
        published=True,
        title="Apparel audits",
        summary="Auditors interview workers.",
        description="Workers can also reach a grievance hotline.",
    )
    PracticeFactory(published=True, title="Worker hotline", description="")

    assert found(client, "hotline") == ["Worker hotline", "Apparel audits"]


def test_search_reaches_tags_partners_and_countries(client, taxonomy):
    PracticeFactory(published=True, title="Tagged", tags=["cobalt"])
    PracticeFactory(
        published=True,
        title="Partnered",
        partners=[OrganisationFactory(name="Cobalt Refiners Initiative")],
    )
    PracticeFactory(published=True, title="Placed", countries=[taxonomy["canada"]])

    assert set(found(client, "cobalt")) == {"Tagged", "Partnered"}
    assert found(client, "canada") == ["Placed"]


def test_search_vector_follows_tag_changes(client, taxonomy):
    practice = PracticeFactory(published=True, title="Garment audits")
    assert found(client, "zinc") == []

    practice.tags.add("zinc")
    assert found(client, "zinc") == ["Garment audits"]

    practice.tags.remove("zinc")
    assert found(client, "zinc") == []


def test_search_vector_follows_partner_changes(client, taxonomy):
    practice = PracticeFactory(published=True, title="Garment audits")
    organisation = OrganisationFactory(name="Tanzanite Traders")

    link = PracticePartner.objects.create(practice=practice, organisation=organisation)
    assert found(client, "tanzanite") == ["Garment audits"]

    organisation.name = "Opal Traders"
    organisation.save()
    assert found(client, "tanzanite") == []
    assert found(client, "opal") == ["Garment audits"]

    link.delete()
    assert found(client, "opal") == []


def test_search_vector_follows_country_changes(client, taxonomy):
    practice = PracticeFactory(published=True, title="Garment audits")

    practice.countries.add(taxonomy["nigeria"])
    assert found(client, "nigeria") == ["Garment audits"]

    practice.countries.remove(taxonomy["nigeria"])
    assert found(client, "nigeria") == []


def test_search_vector_follows_country_changes_from_the_country_side(client, taxonomy):
    practice = PracticeFactory(published=True, title="Garment audits")
    nigeria = taxonomy["nigeria"]

    nigeria.practices.add(practice)
    assert found(client, "nigeria") == ["Garment audits"]

    nigeria.name = "Federal Republic of Nigeria"
    nigeria.save()
    assert found(client, "federal") == ["Garment audits"]

    nigeria.practices.clear()
    assert found(client, "federal") == []

    nigeria.practices.add(practice)
    nigeria.practices.remove(practice)
    assert found(client, "federal") == []


def test_search_vector_follows_a_renamed_tag(client, taxonomy):
    PracticeFactory(published=True, title="Garment audits", tags=["opal"])
    tag = Tag.objects.get(name="opal")

    tag.name = "sapphire"
    tag.save()

    assert found(client, "sapphire") == ["Garment audits"]
    assert found(client, "opal") == []


def test_search_vector_forgets_a_deleted_tag(client, taxonomy):
    PracticeFactory(published=True, title="Garment audits", tags=["opal"])

    Tag.objects.get(name="opal").delete()

    assert found(client, "opal") == []


def test_search_vector_forgets_a_deleted_country(client, taxonomy):
    PracticeFactory(
        published=True, title="Garment audits", countries=[taxonomy["nigeria"]]
    )

    taxonomy["nigeria"].delete()

    assert found(client, "nigeria") == []


def test_every_model_a_practice_is_searched_through_is_watched():
    # A search field read through another relation needs receivers in
    # practices.signals, or the stored vectors go stale when that relation changes.
    reached = set()
    for name in PracticeQuerySet.search_fields.all_fields:
        model = Practice
        for relation in name.split("__")[:-1]:
            model = model._meta.get_field(relation).related_model
            reached.add(model)

    assert reached == {*signals.NAMES, PracticePartner}


def test_summary_markup_is_shown_as_text_never_as_a_tag(client, taxonomy):
    PracticeFactory(
        published=True,
        title="Escaping",
        summary='Hotline <script>alert("x")</script> when 2 < 3 & <b>workers</b>.',
    )

    response = client.get(LIST_URL, {"q": "hotline"})

    assert "<script>alert" not in response.text
    assert "<b>workers" not in response.text
    assert "2 &lt; 3 &amp;" in response.text


def test_highlight_filter_escapes_the_snippet_and_marks_only_the_matches():
    snippet = f"{HIGHLIGHT_START}Hotline{HIGHLIGHT_STOP} <script>alert(1)</script> &"

    assert highlight(snippet) == (
        "<mark>Hotline</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp;"
    )


def test_empty_result_offers_to_drop_the_search_or_the_filters(client, taxonomy):
    PracticeFactory(published=True, sectors=[taxonomy["financial"]])

    response = client.get(LIST_URL + "?q=zeppelin&sector=financial&sort=title")

    assert response.context["result_count"] == 0
    assert "No practices match" in response.text
    text = response.text
    assert (
        '<a href="?sector=financial&amp;sort=title">Keep the filters, drop the search'
        in text
    )
    assert '<a href="?q=zeppelin">Keep the search, drop every filter</a>' in text
    assert '<a href="?">Start again with everything</a>' in text
    assert "Download these" not in text


def test_empty_result_without_a_search_offers_to_drop_each_filter(client, taxonomy):
    PracticeFactory(published=True, sectors=[taxonomy["financial"]])

    response = client.get(LIST_URL + "?sector=technology&kind=technology-tool")

    text = response.text
    assert "drop the search" not in text
    assert (
        '<a href="?kind=technology-tool">Drop “Sector: Technology sector”</a>' in text
    )
    assert (
        '<a href="?sector=technology">Drop “Kind of partnership: Technology tool”'
        in (text)
    )


# PostgreSQL full-text search --------------------------------------------------------


@pytest.mark.postgres
def test_weights_rank_title_above_summary_above_description(client, taxonomy):
    PracticeFactory(
        published=True,
        title="Alpha",
        summary="Auditors visit farms.",
        description="A grievance hotline.",
    )
    PracticeFactory(
        published=True, title="Bravo", summary="A hotline for fishers.", description=""
    )
    PracticeFactory(
        published=True, title="Charlie hotline", summary="Calls.", description=""
    )

    assert found(client, "hotline") == ["Charlie hotline", "Bravo", "Alpha"]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"worker voice"', {"Worker voice app"}),
        ("worker voice", {"Worker voice app", "Voice of the worker"}),
        ('"worker voice" -app', set()),
        ("hotline or app", {"Worker voice app", "Seafood hotline"}),
        (
            "hotline OR voice",
            {"Worker voice app", "Voice of the worker", "Seafood hotline"},
        ),
        ("voice -app", {"Voice of the worker"}),
    ],
)
def test_web_search_syntax(client, taxonomy, q, expected):
    PracticeFactory(published=True, title="Worker voice app", summary="Surveys.")
    PracticeFactory(published=True, title="Voice of the worker", summary="Unions.")
    PracticeFactory(published=True, title="Seafood hotline", summary="Calls.")

    assert set(found(client, q)) == expected


@pytest.mark.postgres
def test_stemming_finds_other_forms_of_a_word(client, taxonomy):
    PracticeFactory(published=True, title="A public-private partnership", summary=".")
    PracticeFactory(published=True, title="Screening", summary="Banks screen payments.")

    assert found(client, "partnerships") == ["A public-private partnership"]
    assert found(client, "screened") == ["Screening"]


def test_accents_do_not_matter_in_text_or_country(client, taxonomy):
    PracticeFactory(
        published=True,
        title="Cocoa cooperatives",
        summary="Cooperatives in Côte d'Ivoire trace cocoa.",
    )
    PracticeFactory(
        published=True,
        title="Abidjan port",
        summary="Port checks.",
        countries=[taxonomy["ivory_coast"]],
    )
    PracticeFactory(published=True, title="Elsewhere", summary="Coastal shipping.")

    assert set(found(client, "cote")) == {"Cocoa cooperatives", "Abidjan port"}
    assert set(found(client, "Côte")) == {"Cocoa cooperatives", "Abidjan port"}


def test_snippets_highlight_matches_and_escape_the_text(client, taxonomy):
    PracticeFactory(
        published=True,
        title="Escaping",
        summary='Hotline <script>alert("x")</script> if 2 < 3 & workers call.',
    )

    response = client.get(LIST_URL, {"q": "hotline"})

    snippet = response.text.split('<p class="snippet">')[1].split("</p>")[0]
    assert snippet.startswith("<mark>Hotline</mark>")
    assert "2 &lt; 3 &amp; workers" in snippet
    assert "<script" not in snippet


def test_site_search_highlights_and_escapes_too(client, taxonomy):
    PracticeFactory(
        published=True,
        title="Escaping",
        summary="Hotline <img src=x onerror=alert(1)> if 2 < 3 & workers call.",
    )

    response = client.get(reverse("search"), {"q": "hotline"})

    assert "<mark>Hotline</mark>" in response.text
    assert "2 &lt; 3 &amp; workers" in response.text
    assert "<img src=x" not in response.text


@pytest.mark.postgres
@pytest.mark.parametrize(
    "url",
    [LIST_URL, reverse("api:practice_list"), reverse("practices:export")],
)
def test_a_search_matches_once_for_its_count_facets_and_csv(client, taxonomy, url):
    # Matching reads every practice's search vector; the count, the eight facets
    # and the CSV find the matching practices by key instead. A page, of the list
    # or of the API, reads its best keys by a match of its own (the search rows
    # ranked, twenty kept), not every match sorted.
    financial = [taxonomy["financial"]]
    for title in ("Bank hotline", "Bank audits", "Port checks"):
        PracticeFactory(published=True, title=title, summary=".", sectors=financial)
    PracticeFactory(title="Bank draft", summary=".", sectors=financial)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "bank", "sector": "financial"})
        body = b"".join(response.streaming_content) if response.streaming else b""

    matching = [q["sql"] for q in queries.captured_queries if "@@" in q["sql"]]
    keys, *best = matching
    assert "LIMIT" not in keys
    assert len(best) == (0 if response.streaming else 1)
    assert all("LIMIT" in query for query in best)
    if response.streaming:
        assert b"Bank hotline" in body and b"Bank audits" in body
        assert b"Port checks" not in body and b"Bank draft" not in body
    elif url != LIST_URL:
        titles = {item["title"] for item in response.json()["results"]}
        assert titles == {"Bank hotline", "Bank audits"}
    else:
        titles = {practice.title for practice in response.context["object_list"]}
        assert titles == {"Bank hotline", "Bank audits"}


def _declared_vector():
    """Django's SearchVector over the practice's search fields, read through joins."""
    fields = PracticeQuerySet.search_fields
    return reduce(
        operator.add,
        [
            SearchVector(*names, weight=weight, config=SEARCH_CONFIG)
            for weight, names in (("A", fields.a), ("B", fields.b), ("C", fields.c))
            if names
        ],
    )


def _words(vector):
    """{(lexeme, weight)} of a tsvector's text, e.g. "'bank':3B,7 'opal':12C"."""
    return {
        (lexeme, position[-1] if position[-1] in "ABC" else "D")
        for lexeme, positions in re.findall(r"'((?:[^']|'')+)':([0-9A-D,]+)", vector)
        for position in positions.split(",")
    }


@pytest.mark.postgres
def test_stored_vector_is_the_search_vector_of_the_declared_fields(taxonomy):
    bare = PracticeFactory(description="", outcomes="")
    single = PracticeFactory(
        tags=["forced labour"],
        countries=[taxonomy["nigeria"]],
        partners=[OrganisationFactory(name="Cobalt Refiners")],
    )
    several = PracticeFactory(
        tags=["cobalt", "garment audits"],
        countries=[taxonomy["canada"], taxonomy["ivory_coast"]],
        partners=[
            OrganisationFactory(name="Opal Traders"),
            OrganisationFactory(name="Harbour Bank"),
        ],
    )
    refresh_search_vectors()

    rows = defaultdict(list)
    joined = Practice.objects.annotate(expected=_declared_vector())
    for pk, stored, expected in joined.values_list("pk", "search_vector", "expected"):
        rows[pk].append((stored, expected))

    # One name per relation: the join gives one row, and the very same vector.
    for practice in (bare, single):
        [(stored, expected)] = rows[practice.pk]
        assert stored == expected
    # Several: the join gives a row per combination of names, which between them
    # hold every word of the stored vector, at the same weights, and no other.
    assert len(rows[several.pk]) == 2 * 2 * 2
    stored = rows[several.pk][0][0]
    assert {("opal", "C"), ("cobalt", "B"), ("ivoir", "C")} <= _words(stored)
    assert _words(stored) == set().union(
        *(_words(expected) for _, expected in rows[several.pk])
    )


@pytest.mark.postgres
def test_rank_vector_is_the_title_summary_and_tags_part_of_the_stored_vector(taxonomy):
    practice = PracticeFactory(
        title="Harbour patrols",
        summary="Inspectors board trawlers.",
        description="Skippers log crews.",
        tags=["cobalt"],
        partners=[OrganisationFactory(name="Opal Traders")],
    )
    PracticeFactory(description="", outcomes="")
    refresh_search_vectors()
    # A change through a relation refreshes both vectors (practices.signals).
    practice.tags.add("garment audits")

    rows = Practice.objects.annotate(expected=rank_vector(F("search_vector")))
    for stored, expected in rows.values_list("rank_vector", "expected"):
        assert stored == expected
    stored = Practice.objects.get(pk=practice.pk).rank_vector
    assert {("harbour", "A"), ("trawler", "B"), ("cobalt", "B"), ("garment", "B")} <= (
        _words(stored)
    )
    assert not {"opal", "skipper"} & {lexeme for lexeme, _ in _words(stored)}


@pytest.mark.postgres
def test_matching_keys_are_read_through_an_index_and_the_setting_put_back(
    taxonomy,
):
    # As broad as ?q=bank (a third of the rows): the planner alone would scan them.
    for number in range(90):
        title = "Cobalt audits" if number % 3 == 0 else "Port checks"
        PracticeFactory(
            published=True,
            title=f"{title} {number}",
            summary="Checks.",
            description="",
            outcomes="",
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE practices_practice")
    searched = Practice.objects.published().search("cobalt")
    with CaptureQueriesContext(connection) as queries:
        keys = matching_pks(searched)
    [matching] = [q["sql"] for q in queries.captured_queries if "@@" in q["sql"]]

    assert len(keys) == 30
    with connection.cursor() as cursor:
        # Tests run in a transaction: the block must put the setting back itself.
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
        with index_scans():
            cursor.execute("EXPLAIN " + matching)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    # At 90 rows an index on the status may serve as well as the GIN index (at
    # 100,000 the GIN index is chosen: bench/README.md); never a scan of the table.
    assert "Seq Scan on practices_practice" not in plan
    assert "Index Scan" in plan


def _search_rows():
    return set(
        PracticeSearch.objects.values_list(
            "pk", "title_key", "search_vector", "rank_vector"
        )
    )


def _practices_own():
    return set(
        Practice.objects.values_list(
            "pk", title_order(), "search_vector", "rank_vector"
        )
    )


@pytest.mark.postgres
def test_the_search_rows_hold_each_practices_own_vectors_and_title_through_edits(
    taxonomy,
):
    kept = PracticeFactory(
        published=True, title="Harbour Patrols", tags=["cobalt"], description="Bank."
    )
    partner = OrganisationFactory(name="Opal Traders")
    gone = PracticeFactory(title="Gone soon", partners=[partner], tags=["garment"])
    draft = PracticeFactory(title="Draft bank plan")
    assert _search_rows() == _practices_own()
    assert len(_search_rows()) == 3

    kept.title = "Ébène Harbour"
    kept.save()
    kept.tags.add("forced labour")
    draft.partners.create(organisation=partner)
    partner.name = "Opal Bank Traders"
    partner.save()
    kept.countries.add(taxonomy["canada"])
    # Deleting a practice with partners and tags: their signals write its search
    # row again before the practice itself goes.
    gone.delete()
    # The deferred foreign key is checked now, as a commit would.
    connection.check_constraints()
    assert _search_rows() == _practices_own()
    assert {pk for pk, *_ in _search_rows()} == {kept.pk, draft.pk}
    [(_, title_key, _, rank)] = [row for row in _search_rows() if row[0] == kept.pk]
    assert title_key == "ébène harbour"
    assert ("labour", "B") in _words(rank)

    refresh_search_vectors()
    assert _search_rows() == _practices_own()


@pytest.mark.postgres
@pytest.mark.parametrize("sort", ["", "title"])
@pytest.mark.parametrize(
    "q", ["bank", "bank hotline", "bank -hotline", '"bank staff"', "port or bank"]
)
def test_the_search_rows_list_what_the_practices_search_lists(taxonomy, q, sort):
    for number in range(40):
        PracticeFactory(
            published=number % 6 != 0,
            # "bank" before "Port": the title order ignores case.
            title=f"{'bank' if number % 3 == 0 else 'Port'} checks {number % 7}",
            summary="Bank staff screen." if number % 2 else "Screening hotline.",
            description="A bank and a bank." if number % 5 == 0 else "Checks.",
        )
    filterset = PracticeFilterSet(
        QueryDict(urlencode({"q": q, "sort": sort})),
        queryset=Practice.objects.published(),
    )
    published_keys(filterset.queryset)  # the index is built first
    with CaptureQueriesContext(connection) as queries:
        filterset.qs  # noqa: B018 - filters once
        listed = filterset.listed_order
        best, everything = list(listed[:3]), list(listed[: len(listed)])
    read = " ".join(
        query["sql"] for query in queries.captured_queries if "@@" in query["sql"]
    )
    # What the practices' own search gives, in its order.
    expected = ListFilterSet.matching_keys(filterset, q)

    assert "practices_practicesearch" in read
    assert '"practices_practice"' not in read
    assert everything == expected
    assert best == expected[:3]
    assert sorted(filterset.matching_keys(q)) == sorted(expected)
    # Keys kept only far down the order: the best read first hold none of them,
    # and every match is read.
    last = expected[-2:]
    assert (
        ranked_keys(
            q,
            lambda rows: rows.order_by("-rank", "title_key", "pk"),
            among=set(last),
            limit=2,
        )
        == last
    )
    assert expected, "nothing found: the comparison would hold for any order"
    assert set(expected) <= set(
        Practice.objects.published().values_list("pk", flat=True)
    )
    # A page in another language matches that language's vector too: the practices.
    with translation.override("fr"), CaptureQueriesContext(connection) as queries:
        PracticeFilterSet(
            QueryDict(urlencode({"q": q})), queryset=Practice.objects.published()
        ).matching_keys(q)
    assert "practices_practicesearch" not in queries.captured_queries[-1]["sql"]
