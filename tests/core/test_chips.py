"""The removable chips of the active filters and the list in words
(core.listing.chips)."""

import pytest
from django.http import QueryDict

from core.listing.cache import count_facets
from core.listing.chips import active_chips, describe
from practices.filters import PracticeFilterSet
from practices.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

NOUN = ("practice", "practices")


def chips_for(query):
    filterset = PracticeFilterSet(
        QueryDict(query), queryset=Practice.objects.published()
    )
    return active_chips(filterset, count_facets(filterset))


@pytest.fixture
def practice(taxonomy):
    return PracticeFactory(
        published=True, sectors=[taxonomy["financial"]], kind=taxonomy["tool"]
    )


def test_chips_name_each_known_value_by_its_label(practice):
    chips = chips_for("q=bank&sector=financial&kind=technology-tool&year_from=2016")

    assert [(c["label"], c["text"], c["param"], c["value"]) for c in chips] == [
        ("Search", "bank", "q", "bank"),
        ("Sector", "Financial sector", "sector", "financial"),
        ("Kind of partnership", "Technology tool", "kind", "technology-tool"),
        ("Started from", "2016", "year_from", "2016"),
    ]


def test_no_chip_for_an_unknown_value_a_malformed_one_or_the_presentation(practice):
    chips = chips_for(
        "sector=no-such-sector&sector=financial&year_to=20x0"
        "&sort=newest&page=2&more=tag&page_size=5"
    )

    assert [(c["param"], c["value"]) for c in chips] == [("sector", "financial")]


def test_a_chosen_value_without_results_still_has_its_chip(practice):
    chips = chips_for("sector=technology")

    assert [(c["label"], c["text"]) for c in chips] == [("Sector", "Technology sector")]


def test_removing_a_chip_drops_exactly_that_value_and_the_page(practice):
    query = (
        "q=bank&sector=financial&sector=technology&sector=no-such-sector"
        "&kind=technology-tool&sort=newest&page=3"
    )

    removed = {
        (chip["param"], chip["value"]): QueryDict(chip["remove_url"].lstrip("?"))
        for chip in chips_for(query)
    }

    everything = QueryDict(query, mutable=True)
    del everything["page"]
    for (param, value), remaining in removed.items():
        expected = everything.copy()
        expected.setlist(param, [v for v in everything.getlist(param) if v != value])
        if not expected.getlist(param):
            del expected[param]
        assert remaining == expected, (param, value)
    assert set(removed) == {
        ("q", "bank"),
        ("sector", "financial"),
        ("sector", "technology"),
        ("kind", "technology-tool"),
    }


# describe() ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "query", "expected"),
    [
        (0, "", "0 practices"),
        (1, "", "1 practice"),
        (13, "bank", "13 practices matching “bank”"),
    ],
)
def test_describe_counts_with_the_right_noun_and_names_the_search(
    count, query, expected
):
    assert describe(count, NOUN, query, []) == expected


def test_describe_joins_values_of_one_filter_with_or_and_filters_with_dots():
    chips = [
        {"param": "q", "label": "Search", "text": "bank"},
        {"param": "sector", "label": "Sector", "text": "Financial sector"},
        {"param": "region", "label": "Region", "text": "Africa"},
        {"param": "sector", "label": "Sector", "text": "Technology sector"},
        {"param": "year_from", "label": "Started from", "text": 2016},
    ]

    assert describe(13, NOUN, "bank", chips) == (
        "13 practices matching “bank” · Sector: Financial sector or Technology "
        "sector · Region: Africa · Started from: 2016"
    )


def test_describe_reads_the_chips_of_a_real_list(practice):
    chips = chips_for("q=bank&sector=financial&sector=technology")

    assert describe(1, NOUN, "bank", chips) == (
        "1 practice matching “bank” · Sector: Financial sector or Technology sector"
    )
