"""The organisations list: a faceted list like the others, in dictionary order."""

import csv
import io

import pytest
from django.urls import reverse

from practices.models import OrganisationType
from tests.factories import OrganisationFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:organisation_list")
EXPORT_URL = reverse("practices:organisation_export")


@pytest.fixture
def organisations(taxonomy):
    t = taxonomy
    made = {
        "austrac": OrganisationFactory(
            name="AUSTRAC", type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
        ),
        "adidas": OrganisationFactory(
            name="Adidas", type=OrganisationType.PRIVATE_COMPANY, country=t["canada"]
        ),
        "oko": OrganisationFactory(name="Öko-Institut", type=OrganisationType.NGO),
        "ngo": OrganisationFactory(
            name="Ocean Watch", type=OrganisationType.NGO, country=t["nigeria"]
        ),
        "hidden": OrganisationFactory(name="Draft Partner", type=OrganisationType.NGO),
    }
    PracticeFactory(
        published=True,
        sectors=[t["financial"]],
        partners=[made["austrac"], made["oko"]],
    )
    PracticeFactory(
        published=True, sectors=[t["supply"]], partners=[made["adidas"], made["ngo"]]
    )
    # A draft naming a published partner in another sector must not move anything.
    PracticeFactory(
        published=False,
        sectors=[t["technology"]],
        partners=[made["ngo"], made["hidden"]],
    )
    return made


def names(response):
    assert response.status_code == 200
    return [organisation.name for organisation in response.context["object_list"]]


def test_list_is_in_dictionary_order(client, organisations):
    # Case and accents ignored: not "AUSTRAC" before "Adidas", "Ö" among the O's.
    assert names(client.get(LIST_URL)) == [
        "Adidas",
        "AUSTRAC",
        "Ocean Watch",
        "Öko-Institut",
    ]


def test_search_finds_organisations_by_name(client, organisations):
    assert names(client.get(LIST_URL, {"q": "austrac"})) == ["AUSTRAC"]


def test_country_and_type_filter_and_count(client, organisations):
    response = client.get(LIST_URL, {"type": "ngo"})

    assert names(response) == ["Ocean Watch", "Öko-Institut"]
    facets = {g["param"]: g for g in response.context["facet_groups"]}
    countries = {o["value"]: o["count"] for o in facets["country"]["options"]}
    assert countries == {"NG": 1}
    assert names(client.get(LIST_URL, {"country": "CA"})) == ["Adidas"]


def test_sector_counts_only_published_practices(client, organisations):
    response = client.get(LIST_URL)
    facets = {g["param"]: g for g in response.context["facet_groups"]}
    sectors = {o["value"]: o["count"] for o in facets["sector"]["options"]}

    # Ocean Watch's technology practice is a draft: no technology option at all.
    assert sectors == {"supply-chain": 2, "financial": 2}
    assert names(client.get(LIST_URL, {"sector": "technology"})) == []
    assert names(client.get(LIST_URL, {"sector": "supply-chain"})) == [
        "Adidas",
        "Ocean Watch",
    ]


def test_export_holds_the_list_rows_in_its_order(client, organisations):
    response = client.get(EXPORT_URL, {"type": "ngo"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))

    assert [row["name"] for row in rows] == ["Ocean Watch", "Öko-Institut"]
    assert rows[0]["practices"] == "1"
    assert rows[0]["sectors"] == "Supply chains"
    assert rows[0]["country"] == "Nigeria"
    assert "Draft Partner" not in body
