"""A list whose every filter the facet index serves takes its rows from the index
(core.listing.index.listed_rows): the page, its count and every export give exactly
what the filters' SQL gives with the index off, in the same order."""

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from core.listing import index
from core.models import Status
from practices.filters import PracticeFilterSet
from practices.models import Practice
from tests.core import test_facet_index
from tests.core.test_facet_index import (
    DATABASE_EXAMPLES,
    practice_queries,
    practices,
    query_dict,
)
from tests.factories import PracticeFactory

vocabulary = test_facet_index.vocabulary

SORTS = ["", "title", "newest", "oldest", "relevance"]
#: Every renderer of the list that selects rows: page, CSV, XLSX, BibTeX, RIS, API.
EXPORTS = ["export.csv", "export.xlsx", "export.bib", "export.ris"]


def answers(client, query):
    """What a user gets for ``query``: the page's rows and count, each export's
    bytes, and the API's page and count."""
    page = client.get(f"/practices/?{query}")
    assert page.status_code == 200
    found = {
        "rows": [row.pk for row in page.context["object_list"]],
        "count": page.context["result_count"],
    }
    for export in EXPORTS:
        response = client.get(f"/practices/{export}?{query}")
        assert response.status_code == 200, export
        body = response.getvalue() if response.streaming else response.content
        found[export] = body if export != "export.xlsx" else _xlsx_cells(body)
    api = client.get(f"/api/v1/practices/?{query}&page_size=3").json()
    found["api"] = (api["count"], api["num_pages"], api["results"])
    return found


def _xlsx_cells(body):
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def index_served(query):
    filterset = PracticeFilterSet(
        QueryDict(query), queryset=Practice.objects.published()
    )
    filterset.qs  # noqa: B018 - filters once
    return index.listed_rows(filterset) is not None


def assert_same_with_the_index_as_without(client, settings, query):
    settings.FACET_INDEX = True
    with_index = answers(client, query)
    served = index_served(query)
    settings.FACET_INDEX = False
    without = answers(client, query)
    settings.FACET_INDEX = True
    assert with_index == without, query
    return served


def servable(params):
    """``params`` without what the index never serves (year bounds)."""
    dropped = {"year_from", "year_to"}
    return [(name, value) for name, value in params if name not in dropped]


@settings(DATABASE_EXAMPLES, max_examples=15)
@given(data=st.data())
def test_random_filters_give_the_same_rows_count_and_exports_from_the_index(
    vocabulary, client, settings, data
):
    for fields in data.draw(st.lists(practices(vocabulary), min_size=1, max_size=4)):
        PracticeFactory(**fields)
    params = data.draw(practice_queries(vocabulary))
    sort = data.draw(st.sampled_from(SORTS))
    for chosen in (params, servable(params)):
        query = query_dict(chosen)
        if sort:
            query["sort"] = sort
        served = assert_same_with_the_index_as_without(
            client, settings, query.urlencode()
        )
        if chosen is not params and chosen:
            assert served, f"{query.urlencode()} was filtered in SQL"


def test_drafts_never_listed_from_the_index(vocabulary, client):
    financial = vocabulary["sectors"][1]
    listed = PracticeFactory(published=True, title="Listed", sectors=[financial])
    for status in (Status.DRAFT, Status.REVIEW, Status.ARCHIVED):
        PracticeFactory(status=status, title="Secret plan", sectors=[financial])
    query = "sector=financial&tag=audit&sort=newest"
    assert index_served(query)

    page = client.get("/practices/?sector=financial")
    assert [row.pk for row in page.context["object_list"]] == [listed.pk]
    assert page.context["result_count"] == 1
    # With no filter the index gives the count alone: its published rows.
    assert (
        index.listed_total(
            PracticeFilterSet(QueryDict(""), queryset=Practice.objects.published())
        )
        == 1
    )
    assert client.get("/practices/").context["result_count"] == 1
    for export in [*EXPORTS, "feed.atom"]:
        body = client.get(f"/practices/{export}?sector=financial")
        body = body.getvalue() if body.streaming else body.content
        assert b"Secret plan" not in body, export
    assert client.get("/api/v1/practices/?sector=financial").json()["count"] == 1


def test_a_filter_the_index_does_not_serve_filters_in_sql(vocabulary):
    PracticeFactory(published=True, sectors=[vocabulary["sectors"][1]])
    assert index_served("sector=financial")
    assert not index_served("sector=financial&year_from=2000")
    assert not index_served("")


@pytest.mark.parametrize("size", [3, 600])
def test_many_ids_select_on_every_database(vocabulary, size):
    # Beyond a few hundred ids SQLite gets them as one JSON array, not parameters.
    from core.lookups import among

    made = [PracticeFactory(published=True).pk for _ in range(3)]
    ids = made + list(range(10**6, 10**6 + size))
    found = Practice.objects.filter(among("pk", ids)).values_list("pk", flat=True)
    assert sorted(found) == sorted(made)
    index.clear()


@pytest.mark.parametrize("sort", ["", "title", "newest"])
def test_a_search_page_reads_its_own_rows_in_the_order_of_the_whole_list(
    vocabulary, client, settings, sort
):
    financial = vocabulary["sectors"][1]
    matching = 0
    for number in range(47):
        # Titles, summaries and descriptions that rank the matches apart, and ties.
        PracticeFactory(
            published=True,
            title=f"{'Bank' if number % 3 == 0 else 'Port'} checks {number % 7}",
            summary="Bank screening." if number % 2 else "Screening.",
            description="A bank and a bank." if number % 5 == 0 else "Checks.",
            start_year=2000 + number % 4,
            sectors=[financial] if number % 4 else [],
        )
        matching += number % 3 == 0 or number % 2 == 1 or number % 5 == 0
    query = f"q=bank&sort={sort}" if sort else "q=bank"
    pages = {}
    for indexed in (True, False):
        settings.FACET_INDEX = indexed
        for shown in (query, f"{query}&sector=financial"):
            for number in (1, 2):
                page = client.get(f"/practices/?{shown}&page={number}")
                assert page.status_code == 200
                pages[indexed, shown, number] = [
                    (row.pk, row.rank, row.headline)
                    for row in page.context["object_list"]
                ]
    settings.FACET_INDEX = True

    keyed = PracticeFilterSet(QueryDict(query), queryset=Practice.objects.published())
    keyed.qs  # noqa: B018 - filters once
    assert keyed.listed_order is not None, "the page was not read by its keys"
    assert len(keyed.listed_order) == keyed.listed_count == matching
    for (indexed, shown, number), rows in pages.items():
        if indexed:
            assert rows == pages[False, shown, number], (shown, number)
    assert len(pages[True, query, 1]) == 20
    assert len(pages[True, query, 2]) == matching - 20 > 0
