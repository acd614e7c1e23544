"""Partnership composition: ``with=<partner type>`` keeps practices whose partners
include every type given (AND), with a facet counting what adding a type leaves."""

import pytest
from django.urls import reverse

from core.listing.filters import with_article
from core.models import Status
from practices.models import OrganisationType
from tests.factories import OrganisationFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:list")
API_URL = reverse("api:practice_list")
FIU = OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
BANK = OrganisationType.FINANCIAL_INSTITUTION
NGO = OrganisationType.NGO
TECH = OrganisationType.TECHNOLOGY_COMPANY


@pytest.fixture
def composed(taxonomy):
    t = taxonomy
    org = {
        kind: OrganisationFactory(name=f"{kind.label} one", type=kind)
        for kind in (FIU, BANK, NGO, TECH)
    }
    second_ngo = OrganisationFactory(name="Second NGO", type=NGO)
    made = {
        "fiu_bank_ngo": PracticeFactory(
            published=True,
            title="Alpha triad",
            summary="Banks and shelters.",
            sectors=[t["financial"]],
            partners=[org[FIU], org[BANK], org[NGO], second_ngo],
        ),
        "fiu_bank": PracticeFactory(
            published=True,
            title="Beta pair",
            summary="Banks alone.",
            sectors=[t["financial"]],
            partners=[org[FIU], org[BANK]],
        ),
        "bank_ngo_tech": PracticeFactory(
            published=True,
            title="Gamma platform",
            summary="Shelters and platforms.",
            sectors=[t["technology"]],
            partners=[org[BANK], org[NGO], org[TECH]],
        ),
        "ngo": PracticeFactory(
            published=True,
            title="Delta shelter",
            summary="Shelters.",
            sectors=[t["supply"]],
            partners=[second_ngo],
        ),
    }
    # A draft with every type must never count.
    PracticeFactory(
        status=Status.DRAFT,
        title="Zeta draft",
        sectors=[t["financial"]],
        partners=[org[FIU], org[BANK], org[NGO], org[TECH]],
    )
    return made


def titles(response):
    return [practice.title for practice in response.context["object_list"]]


def with_counts(response):
    (group,) = [g for g in response.context["facet_groups"] if g["param"] == "with"]
    return {option["value"]: option["count"] for option in group["options"]}


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        ([], ["Alpha triad", "Beta pair", "Delta shelter", "Gamma platform"]),
        ([BANK], ["Alpha triad", "Beta pair", "Gamma platform"]),
        ([FIU, BANK], ["Alpha triad", "Beta pair"]),
        ([FIU, BANK, NGO], ["Alpha triad"]),
        ([BANK, NGO], ["Alpha triad", "Gamma platform"]),
        ([FIU, TECH], []),
    ],
)
def test_with_keeps_practices_whose_partners_include_every_type(
    client, composed, types, expected
):
    response = client.get(LIST_URL, {"with": types})

    assert titles(response) == expected
    assert response.context["result_count"] == len(expected)


def test_partner_type_combines_with_or_and_with_with_and(client, composed):
    either = client.get(LIST_URL, {"partner_type": [FIU, TECH]})
    both = client.get(LIST_URL, {"with": [FIU, TECH]})

    assert titles(either) == ["Alpha triad", "Beta pair", "Gamma platform"]
    assert titles(both) == []


def test_with_counts_say_how_many_results_adding_a_type_would_leave(client, composed):
    response = client.get(LIST_URL, {"with": [BANK]})

    counts = with_counts(response)
    assert counts == {FIU: 2, BANK: 3, NGO: 2, TECH: 1}
    for kind, count in counts.items():
        types = [BANK] if kind == BANK else [BANK, kind]
        narrowed = client.get(LIST_URL, {"with": types})
        assert narrowed.context["result_count"] == count, kind


def test_with_counts_follow_the_other_filters_and_the_search(client, composed):
    by_sector = client.get(LIST_URL, {"with": [NGO], "sector": "financial"})
    assert titles(by_sector) == ["Alpha triad"]
    assert with_counts(by_sector) == {FIU: 1, BANK: 1, NGO: 1}

    searched = client.get(LIST_URL, {"with": [NGO], "q": "shelters"})
    # A search lists the best matches first: compare the rows, not their order.
    assert sorted(titles(searched)) == [
        "Alpha triad",
        "Delta shelter",
        "Gamma platform",
    ]
    assert with_counts(searched) == {FIU: 1, BANK: 2, NGO: 3, TECH: 1}
    for kind, count in with_counts(searched).items():
        narrowed = client.get(LIST_URL, {"with": sorted({NGO, kind}), "q": "shelters"})
        assert narrowed.context["result_count"] == count, kind


def test_without_with_the_counts_are_those_of_the_whole_list(client, composed):
    response = client.get(LIST_URL)

    assert with_counts(response) == {FIU: 2, BANK: 3, NGO: 3, TECH: 1}


def test_heading_and_title_name_the_composition(client, composed):
    response = client.get(LIST_URL, {"with": [FIU, BANK, NGO]})

    expected = (
        "1 practice with a financial intelligence unit, a financial institution "
        "and an NGO"
    )
    assert response.context["description"] == expected
    assert f"<title>{expected}" in response.text
    assert f"<h1>{expected}</h1>" in response.text


def test_each_chosen_type_has_a_removable_chip(client, composed):
    response = client.get(LIST_URL, {"with": [FIU, NGO]})

    chips = {chip["value"]: chip for chip in response.context["chips"]}
    assert set(chips) == {FIU, NGO}
    assert chips[FIU]["text"] == "Financial intelligence unit"
    assert chips[FIU]["remove_url"] == f"?with={NGO}"
    assert f'href="?with={NGO}"' in response.text


def test_unknown_types_are_ignored_with_a_message(client, composed):
    response = client.get(LIST_URL, {"with": ["bank", FIU, "<script>"]})

    assert response.status_code == 200
    assert titles(response) == ["Alpha triad", "Beta pair"]
    messages = response.context["filter_messages"]["with"]
    assert messages == [
        "“bank” is not a known partner type (all of); it was ignored.",
        "“<script>” is not a known partner type (all of); it was ignored.",
    ]
    assert "<script>" not in response.text


def test_exports_hold_the_composed_list(client, composed, read_csv):
    query = {"with": [BANK, NGO]}
    rows = read_csv(client.get(reverse("practices:export"), query))
    xlsx = client.get(reverse("practices:export_xlsx"), query)

    assert [row["title"] for row in rows] == ["Alpha triad", "Gamma platform"]
    assert xlsx.status_code == 200


def test_api_list_takes_with_and_shows_its_facet(client, composed):
    answer = client.get(API_URL, {"with": [FIU, BANK]}).json()

    assert answer["count"] == 2
    assert [item["title"] for item in answer["results"]] == ["Alpha triad", "Beta pair"]
    (facet,) = [f for f in answer["facets"] if f["param"] == "with"]
    assert {o["value"]: o["count"] for o in facet["options"]} == {
        FIU: 2,
        BANK: 2,
        NGO: 1,
    }


def test_api_schema_documents_with_as_and(client):
    document = client.get(reverse("api:openapi")).json()
    (operation,) = [
        path["get"]
        for url, path in document["paths"].items()
        if url.endswith("/practices/")
    ]
    (parameter,) = [p for p in operation["parameters"] if p["name"] == "with"]

    assert "AND" in parameter["description"]
    assert set(parameter["schema"]["items"]["enum"]) == set(OrganisationType.values)


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("Financial intelligence unit", "a financial intelligence unit"),
        ("NGO", "an NGO"),
        ("International organisation", "an international organisation"),
        ("FIU", "an FIU"),
        ("Bank", "a bank"),
    ],
)
def test_labels_read_with_their_article(label, words):
    assert with_article(label) == words


def test_mass_nouns_read_without_an_article():
    assert OrganisationType.LAW_ENFORCEMENT.in_words == "law enforcement"
    assert OrganisationType.ACADEMIA.in_words == "academia"


def test_the_facet_says_its_values_combine_with_and(client, composed):
    response = client.get(LIST_URL, {"with": [BANK]})

    assert "Combined with AND: results have every option ticked" in response.text
    html = response.text
    assert (
        f'<input type="checkbox" name="with" value="{BANK}" id="f-with-{BANK}" checked>'
    ) in html
