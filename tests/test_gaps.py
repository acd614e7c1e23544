"""The gap matrix: published counts per pair of facets, each cell the count of the
list it links to, gaps marked in words, filters honoured, CSV and JSON."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from core.models import Status
from practices.models import OrganisationType
from tests.factories import (
    ActionPointFactory,
    OrganisationFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

GAPS_URL = reverse("gaps")
TABLES = ["sector-region", "sector-stage", "sector-partner-type", "audience-sector"]


@pytest.fixture
def collection(taxonomy):
    t = taxonomy
    bank = OrganisationFactory(type=OrganisationType.FINANCIAL_INSTITUTION)
    ngo = OrganisationFactory(type=OrganisationType.NGO)
    fiu = OrganisationFactory(type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT)
    specs = [
        ("financial", ["nigeria"], ["financial_flows"], [bank, fiu], "Bank red flags"),
        ("financial", ["canada"], ["recruitment"], [bank, ngo], "Shelter accounts"),
        ("technology", ["nigeria", "canada"], ["recruitment"], [ngo], "Job ads"),
        ("supply", [], [], [], "Supplier audits"),
    ]
    for sector, countries, stages, partners, title in specs:
        practice = PracticeFactory(
            published=True,
            title=title,
            summary=f"{title} with partners.",
            sectors=[t[sector]],
            countries=[t[c] for c in countries],
            stages=[t[s] for s in stages],
            partners=partners,
        )
        practice.sync_regions()
    hidden = PracticeFactory(
        status=Status.DRAFT,
        title="Zanzibarite draft",
        sectors=[t["supply"], t["financial"]],
        countries=[t["canada"]],
        stages=[t["recruitment"], t["financial_flows"]],
        partners=[bank, ngo, fiu],
    )
    hidden.sync_regions()
    ActionPointFactory(published=True, audience=t["law_enforcement"], sector=None)
    ActionPointFactory(
        published=True, audience=t["law_enforcement"], sector=t["financial"]
    )
    ActionPointFactory(
        published=True, audience=t["labour_inspectors"], sector=t["supply"]
    )
    ActionPointFactory(
        status=Status.DRAFT,
        audience=t["labour_inspectors"],
        sector=t["technology"],
        text="Zanzibarite point.",
    )
    return t


def cells_of(response):
    """[(table slug, count, url)] of every cell the page shows."""
    found = []
    for table in response.context["tables"]:
        for row in table.rows:
            for cell in row["cells"]:
                found.append((table.slug, cell["count"], cell["url"]))
    return found


def list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["result_count"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"with": "financial_institution"},
        {"q": "partners"},
        {"with": ["ngo", "financial_institution"], "region": "americas"},
        {"sector": "financial", "kind": "no-such-kind"},
        {"audience": "law-enforcement"},
    ],
    ids=[
        "all",
        "with-bank",
        "search",
        "with-two-region",
        "sector",
        "aud",
    ],
)
def test_every_cell_counts_the_list_it_links_to(client, collection, query):
    response = client.get(GAPS_URL, query)

    assert response.status_code == 200
    cells = cells_of(response)
    assert {slug for slug, _, _ in cells} == set(TABLES)
    for slug, count, url in cells:
        assert list_count(client, url) == count, (slug, url)
        assert f'href="{url.replace("&", "&amp;")}"' in response.text


def test_counts_and_gaps_of_the_whole_collection(client, collection):
    response = client.get(GAPS_URL)
    tables = {table.slug: table for table in response.context["tables"]}

    partner = tables["sector-partner-type"]
    assert [c["value"] for c in partner.columns] == [
        "supply-chain",
        "financial",
        "technology",
    ]
    by_row = {row["value"]: [c["count"] for c in row["cells"]] for row in partner.rows}
    assert by_row["financial_institution"] == [0, 2, 0]
    assert by_row["ngo"] == [0, 1, 1]
    assert by_row["financial_intelligence_unit"] == [0, 1, 0]
    assert by_row["academia"] == [0, 0, 0]
    # Every partner type is a row, counted or not: an empty row is a gap.
    assert len(partner.rows) == len(OrganisationType.values)

    points = tables["audience-sector"]
    by_row = {row["value"]: [c["count"] for c in row["cells"]] for row in points.rows}
    assert by_row == {"law-enforcement": [0, 1, 0], "labour-inspectors": [1, 0, 0]}

    regions = tables["sector-region"]
    by_row = {row["value"]: row for row in regions.rows}
    assert [c["count"] for c in by_row["africa"]["cells"]] == [0, 1, 1]
    assert by_row["sub-saharan-africa"]["depth"] == 1


def test_empty_cells_are_gaps_in_words_and_colour(client, collection):
    response = client.get(GAPS_URL)

    gap_cells = re.findall(r'<td class="gap"><a href="[^"]*">([^<]*)<', response.text)
    zero = sum(1 for _, count, _ in cells_of(response) if count == 0)
    assert zero and len(gap_cells) == zero
    assert set(gap_cells) == {"0 · gap"}
    assert '<td class="gap">' in response.text


def test_tables_are_accessible_markup(client, collection):
    html = client.get(GAPS_URL).text

    assert html.count("<caption>") == len(TABLES)
    assert '<th scope="col">Financial sector</th>' in html
    assert '<th scope="row" class="depth-0">Law enforcement</th>' in html


def test_axis_values_in_the_query_narrow_the_axis(client, collection):
    response = client.get(GAPS_URL, {"sector": "financial"})

    for table in response.context["tables"]:
        assert [c["value"] for c in table.columns] == ["financial"]


def test_filters_are_honoured_and_described(client, collection):
    response = client.get(GAPS_URL, {"with": "ngo"})

    (partner,) = [
        t for t in response.context["tables"] if t.slug == "sector-partner-type"
    ]
    by_row = {row["value"]: [c["count"] for c in row["cells"]] for row in partner.rows}
    assert by_row["ngo"] == [0, 1, 1]
    assert by_row["financial_institution"] == [0, 1, 0]
    assert response.context["practice_filters"] == "2 practices with an NGO"
    assert "Among 2 practices with an NGO." in response.text


def test_unknown_values_get_a_message_never_a_500(client, collection):
    response = client.get(GAPS_URL, {"with": "bank", "region": "<b>", "q": "\x00"})

    assert response.status_code == 200
    assert "“bank” is not a known partner type (all of); it was ignored." in (
        response.text.replace("&ldquo;", "“").replace("&rdquo;", "”")
    )
    assert "<b>" not in response.text


@pytest.mark.parametrize("table", TABLES)
def test_csv_of_each_table_holds_the_page_counts(client, collection, read_csv, table):
    page = client.get(GAPS_URL, {"with": "financial_institution"})
    (shown,) = [t for t in page.context["tables"] if t.slug == table]

    rows = read_csv(
        client.get(reverse("gaps_csv", args=[table]), {"with": "financial_institution"})
    )

    assert [row[shown.down_label] for row in rows] == [r["label"] for r in shown.rows]
    for row, expected in zip(rows, shown.rows, strict=True):
        assert [int(row[c["label"]]) for c in shown.columns] == [
            cell["count"] for cell in expected["cells"]
        ]


@pytest.mark.parametrize("table", TABLES)
def test_json_of_each_table_links_every_cell_to_its_list(client, collection, table):
    answer = client.get(reverse("gaps_json", args=[table]), {"q": "partners"}).json()

    assert answer["table"] == table
    for row in answer["rows"]:
        for cell in row["cells"]:
            parts = urlsplit(cell["url"])
            assert parts.scheme == "http"
            assert list_count(client, f"{parts.path}?{parts.query}") == cell["count"]


def test_an_unknown_table_is_not_found(client, collection):
    assert client.get("/gaps/no-such-table.csv").status_code == 404
    assert client.get("/gaps/no-such-table.json").status_code == 404


def test_no_draft_counts_anywhere_in_the_matrix(client, collection, body):
    page = client.get(GAPS_URL)
    total = sum(count for slug, count, _ in cells_of(page) if slug == "sector-stage")

    # Three published practices have a stage; the draft has two and would add two.
    assert total == 3
    assert "Zanzibarite" not in page.text
    for table in TABLES:
        for name in ("gaps_csv", "gaps_json"):
            assert "Zanzibarite" not in body(client.get(reverse(name, args=[table])))


def test_home_and_sector_pages_link_to_the_matrix(client, collection):
    home = client.get(reverse("home")).text
    sector = client.get(reverse("partnerships:sector", args=["financial"])).text

    assert f'href="{GAPS_URL}"' in home
    assert f'href="{GAPS_URL}?sector=financial"' in unescape(sector)


def test_the_matrix_costs_a_fixed_number_of_queries(
    client, collection, django_assert_max_num_queries
):
    # Guards against a query per cell: one count per column of each table.
    with django_assert_max_num_queries(40):
        client.get(GAPS_URL, {"with": "ngo"})
