"""The practice list's filters: every parameter alone and combined, and facet counts.

Values of one parameter combine with OR, different parameters with AND.
"""

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse

from practices.filters import PracticeFilterSet
from practices.models import OrganisationType, Practice
from tests.factories import OrganisationFactory, PracticeFactory, build_taxonomy

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:list")


@pytest.fixture(scope="module")
def practices(django_db_setup, django_db_blocker):
    """Four published practices differing on every facet; a draft matching them all.

    Built once for the module, whose tests only read them, inside a transaction
    rolled back at the end (as in tests/test_reference_content.py).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_practices(build_taxonomy())
        transaction.set_rollback(True)


def build_practices(t):
    fiu = OrganisationFactory(
        name="National FIU", type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
    )
    retailer = OrganisationFactory(
        name="Retail Group", type=OrganisationType.PRIVATE_COMPANY
    )
    ngo = OrganisationFactory(name="Helpline NGO", type=OrganisationType.NGO)
    platform = OrganisationFactory(
        name="Platform Inc", type=OrganisationType.TECHNOLOGY_COMPANY
    )
    created = {
        "bank": PracticeFactory(
            published=True,
            title="Bank red flags",
            sectors=[t["financial"]],
            countries=[t["nigeria"]],
            stages=[t["financial_flows"]],
            audiences=[t["law_enforcement"]],
            kind=t["fi_partnership"],
            tags=["banks"],
            partners=[fiu],
            start_year=2015,
        ),
        "audit": PracticeFactory(
            published=True,
            title="Supplier audits",
            sectors=[t["supply"]],
            countries=[t["canada"]],
            stages=[t["recruitment"]],
            audiences=[t["labour_inspectors"]],
            kind=t["tool"],
            tags=["audits"],
            partners=[retailer],
            start_year=2019,
        ),
        "hotline": PracticeFactory(
            published=True,
            title="Hotline app",
            sectors=[t["technology"], t["supply"]],
            countries=[t["ivory_coast"]],
            stages=[t["recruitment"], t["financial_flows"]],
            audiences=[t["law_enforcement"], t["labour_inspectors"]],
            kind=t["tool"],
            tags=["banks", "apps"],
            partners=[ngo],
            start_year=2021,
        ),
        "platform": PracticeFactory(
            published=True,
            title="Global platform",
            sectors=[t["technology"]],
            kind=t["fi_partnership"],
            partners=[fiu, platform],
            start_year=None,
        ),
    }
    PracticeFactory(
        title="Draft matching everything",
        sectors=[t["financial"], t["supply"], t["technology"]],
        countries=[t["nigeria"], t["canada"]],
        stages=[t["recruitment"], t["financial_flows"]],
        audiences=[t["law_enforcement"], t["labour_inspectors"]],
        kind=t["tool"],
        tags=["banks", "audits"],
        partners=[fiu, ngo],
        start_year=2018,
    )
    for practice in created.values():
        # What the admin does on save: add the countries' regions and wider regions.
        practice.sync_regions()
    return created


def listed(client, query):
    response = client.get(LIST_URL, QueryDict(query))
    assert response.status_code == 200
    return response


def titles(response):
    return {practice.title for practice in response.context["object_list"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"bank", "audit", "hotline", "platform"}),
        ("sector=financial", {"bank"}),
        ("region=africa", {"bank", "hotline"}),
        ("region=sub-saharan-africa", {"bank", "hotline"}),
        ("region=americas", {"audit"}),
        ("country=NG", {"bank"}),
        ("partner_type=financial_intelligence_unit", {"bank", "platform"}),
        ("audience=law-enforcement", {"bank", "hotline"}),
        ("stage=recruitment", {"audit", "hotline"}),
        ("kind=technology-tool", {"audit", "hotline"}),
        ("tag=banks", {"bank", "hotline"}),
        ("year_from=2016", {"audit", "hotline"}),
        ("year_to=2016", {"bank"}),
        ("q=hotline", {"hotline"}),
    ],
)
def test_each_filter_alone(client, practices, query, expected):
    response = listed(client, query)

    assert titles(response) == {practices[key].title for key in expected}
    assert response.context["result_count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=financial&sector=technology", {"bank", "hotline", "platform"}),
        ("region=africa&region=americas", {"bank", "hotline", "audit"}),
        ("country=NG&country=CA", {"bank", "audit"}),
        ("partner_type=ngo&partner_type=private_company", {"audit", "hotline"}),
        (
            "audience=law-enforcement&audience=labour-inspectors",
            {"bank", "audit", "hotline"},
        ),
        ("stage=recruitment&stage=financial-flows", {"bank", "audit", "hotline"}),
        (
            "kind=technology-tool&kind=financial-intelligence-partnership",
            {"bank", "audit", "hotline", "platform"},
        ),
        ("tag=banks&tag=audits", {"bank", "audit", "hotline"}),
    ],
)
def test_values_of_one_parameter_combine_with_or(client, practices, query, expected):
    assert titles(listed(client, query)) == {practices[key].title for key in expected}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=technology&kind=technology-tool", {"hotline"}),
        ("region=africa&stage=recruitment", {"hotline"}),
        ("sector=supply-chain&audience=law-enforcement", {"hotline"}),
        ("tag=banks&year_from=2020", {"hotline"}),
        ("partner_type=financial_intelligence_unit&sector=technology", {"platform"}),
        ("country=CA&kind=financial-intelligence-partnership", set()),
        ("year_from=2016&year_to=2020", {"audit"}),
        ("q=hotline&sector=financial", set()),
        # OR inside each parameter, AND between them.
        (
            "sector=financial&sector=supply-chain&audience=law-enforcement",
            {"bank", "hotline"},
        ),
        (
            "stage=recruitment&stage=financial-flows&region=africa&tag=banks&tag=audits",
            {"bank", "hotline"},
        ),
    ],
)
def test_different_parameters_combine_with_and(client, practices, query, expected):
    response = listed(client, query)

    assert titles(response) == {practices[key].title for key in expected}
    assert response.context["result_count"] == len(expected)


def test_region_finds_a_practice_through_its_country_sub_region(
    client, taxonomy, practices
):
    practice = PracticeFactory(
        published=True, title="Lagos port inspections", countries=[taxonomy["nigeria"]]
    )
    assert not practice.regions.exists()
    practice.sync_regions()

    assert practice.title in titles(listed(client, "region=africa"))
    assert practice.title in titles(listed(client, "region=sub-saharan-africa"))
    assert practice.title not in titles(listed(client, "region=americas"))


def result_count(query):
    """What the list would count for ``query``: its FilterSet over published rows."""
    filterset = PracticeFilterSet(
        QueryDict(query), queryset=Practice.objects.published()
    )
    return filterset.qs.count()


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=bank",
        "year_from=2010&year_to=2019",
        "sector=technology&kind=technology-tool",
        "region=africa&tag=banks",
        "audience=law-enforcement&audience=labour-inspectors&year_from=2016",
        "q=bank&partner_type=financial_intelligence_unit",
    ],
)
def test_facet_count_equals_results_of_choosing_that_option(client, practices, query):
    response = listed(client, query)
    assert result_count(query) == response.context["result_count"]
    checked = 0

    for group in response.context["facet_groups"]:
        for option in group["options"]:
            chosen = QueryDict(query, mutable=True)
            if group.get("range"):
                # A decade counts the rows from its first year to its last.
                start = int(option["value"])
                chosen.setlist(group["param"], [str(start)])
                chosen.setlist(group["upper"], [str(start + 9)])
            else:
                chosen.setlist(group["param"], [option["value"]])
            assert option["count"] == result_count(chosen.urlencode()), (
                group["param"],
                option["value"],
            )
            checked += 1
    assert checked >= 5


def test_facet_counts_match_the_list_page_itself(client, practices):
    response = listed(client, "stage=recruitment")

    for option in response.context["facet_groups"][1]["options"]:
        assert response.context["facet_groups"][1]["param"] == "region"
        selected = listed(client, f"stage=recruitment&region={option['value']}")
        assert option["count"] == selected.context["result_count"]


def test_facet_counts_are_shown_beside_each_option(client, practices):
    response = listed(client, "sector=technology")

    sectors = {
        option["value"]: option["count"]
        for option in response.context["facet_groups"][0]["options"]
    }
    # Counts ignore the sector filter itself, so a second sector can be added.
    assert sectors == {"financial": 1, "supply-chain": 2, "technology": 2}
    assert 'value="financial" id="f-sector-' in response.text
    assert 'Financial sector <span class="count">(1)</span>' in response.text


def test_facet_options_without_results_are_hidden_unless_selected(client, practices):
    response = listed(client, "sector=financial&kind=technology-tool")

    sectors = {
        option["value"]: (option["count"], option["selected"])
        for option in response.context["facet_groups"][0]["options"]
    }
    assert sectors == {
        "financial": (0, True),
        "supply-chain": (2, False),
        "technology": (1, False),
    }
    countries = [
        option["value"]
        for group in response.context["facet_groups"]
        if group["param"] == "country"
        for option in group["options"]
    ]
    assert countries == []
