"""The practices CSV: the list's rows in its order, safe to open in a spreadsheet."""

import html
import io
import random
import re
from datetime import UTC, datetime

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from taggit.models import Tag

from core.listing.views import PAGE_SIZE
from core.models import Status
from practices.export import CHUNK_SIZE
from practices.models import OrganisationType, Practice, PracticePartner
from tests.factories import OrganisationFactory, PracticeFactory, PracticeSourceFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:list")
EXPORT_URL = reverse("practices:export")
XLSX_URL = reverse("practices:export_xlsx")
COLUMNS = [
    "title",
    "url",
    "sectors",
    "countries",
    "regions",
    "kind",
    "partners",
    "audiences",
    "stages",
    "tags",
    "start_year",
    "end_year",
    "summary",
    "outcomes",
    "provenance",
    "provenance_meetings",
    "provenance_source",
    "maturity",
    "maturity_source",
    "sources",
]


def read_xlsx(response):
    """The sheet's rows as dicts by header, read by a real spreadsheet parser."""
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def all_list_titles(client, query):
    """Titles of every page of the list, following its own "Next" links."""
    titles, url = [], f"{LIST_URL}?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        titles += [practice.title for practice in response.context["object_list"]]
        following = re.search(r'<a href="([^"]*)" rel="next">', response.text)
        url = LIST_URL + html.unescape(following.group(1)) if following else None
    return titles


@pytest.fixture
def many_practices(taxonomy):
    """More practices than one page, in an order no single field gives away."""
    rng = random.Random(7)
    sectors = [taxonomy["supply"], taxonomy["financial"], taxonomy["technology"]]
    years = [None, 2008, 2012, 2015, 2015, 2019, 2021]
    for n in range(2 * PAGE_SIZE + 7):
        word = "cocoa" if n % 3 else "cotton"
        in_title = n % 2 == 0
        PracticeFactory(
            published=True,
            title=f"{'Cocoa' if in_title and word == 'cocoa' else 'Trade'} "
            f"{rng.choice(['alpha', 'Bravo', 'charlie', 'Delta'])} {n:02d}",
            summary=f"Growers of {word} report abuse.",
            sectors=[rng.choice(sectors)],
            start_year=rng.choice(years),
        )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=newest",
        "sort=oldest&sector=supply-chain&sector=financial",
        "q=cocoa",
        "q=cocoa&sort=title&year_from=2012",
        "q=growers&sort=oldest",
    ],
)
def test_export_matches_list_for_same_filters(client, read_csv, many_practices, query):
    listed = all_list_titles(client, query)

    rows = read_csv(client.get(f"{EXPORT_URL}?{query}"))
    sheet = read_xlsx(client.get(f"{XLSX_URL}?{query}"))

    assert len(listed) > PAGE_SIZE
    assert [row["title"] for row in rows] == listed
    assert [row["title"] for row in sheet] == listed


def test_export_longer_than_one_chunk_has_every_published_row_once_in_order(
    client, read_csv, taxonomy
):
    # More practices than one chunk of the export, with drafts among them. Titles run
    # against the keys, so rows read back by key would come out of order. Built in
    # bulk (no signals): the export reads no search vector.
    total = CHUNK_SIZE + 300
    sectors = [taxonomy["supply"], taxonomy["financial"], taxonomy["technology"]]
    practices = Practice.objects.bulk_create(
        Practice(
            title=f"Practice {total - n:05d}",
            slug=f"practice-{n:05d}",
            summary="Banks share red flags.",
            kind=taxonomy["tool"],
            status=Status.DRAFT if n % 97 == 0 else Status.PUBLISHED,
        )
        for n in range(total)
    )
    Practice.sectors.through.objects.bulk_create(
        Practice.sectors.through(practice=practice, sector=sectors[n % 3])
        for n, practice in enumerate(practices)
    )
    expected = sorted(
        (practice.title, sectors[n % 3].name)
        for n, practice in enumerate(practices)
        if practice.status == Status.PUBLISHED
    )

    rows = read_csv(client.get(EXPORT_URL))

    assert len(expected) > CHUNK_SIZE
    assert [(row["title"], row["sectors"]) for row in rows] == expected


def test_export_has_the_documented_columns(client, body, taxonomy):
    PracticeFactory(published=True)

    response = client.get(EXPORT_URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert body(response).splitlines()[0] == "\ufeff" + ",".join(COLUMNS)


def test_multi_valued_cells_are_joined_with_semicolons(client, read_csv, taxonomy):
    fiu = OrganisationFactory(
        name="Ghana FIU", type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
    )
    bank = OrganisationFactory(
        name="Coastal Bank", type=OrganisationType.FINANCIAL_INSTITUTION
    )
    practice = PracticeFactory(
        published=True,
        title="Bank red flags",
        slug="bank-red-flags",
        sectors=[taxonomy["supply"], taxonomy["financial"]],
        countries=[taxonomy["nigeria"], taxonomy["ivory_coast"]],
        stages=[taxonomy["recruitment"], taxonomy["financial_flows"]],
        audiences=[taxonomy["law_enforcement"], taxonomy["labour_inspectors"]],
        kind=taxonomy["fi_partnership"],
        tags=["banks", "red flags"],
        partners=[(fiu, PracticePartner.Role.LEAD), bank],
        start_year=2016,
        end_year=2020,
        summary="Banks share red flags.",
        outcomes="More reports.",
    )
    practice.sync_regions()
    PracticeSourceFactory(practice=practice, url="https://example.org/a", order=0)
    PracticeSourceFactory(practice=practice, url="https://example.org/b", order=1)

    (row,) = read_csv(client.get(EXPORT_URL))

    assert row["title"] == "Bank red flags"
    assert row["url"] == "http://testserver/practices/bank-red-flags/"
    assert row["sectors"] == "Supply chains; Financial sector"
    assert row["countries"] == "Côte d'Ivoire; Nigeria"
    assert set(row["regions"].split("; ")) == {"Africa", "Sub-Saharan Africa"}
    assert row["kind"] == "Financial-intelligence partnership"
    assert row["partners"] == (
        "Ghana FIU (Financial intelligence unit, lead); "
        "Coastal Bank (Financial institution, partner)"
    )
    assert row["audiences"] == "Labour inspectors; Law enforcement"
    assert row["stages"] == "Financial flows; Recruitment"
    assert sorted(row["tags"].split("; ")) == ["banks", "red flags"]
    assert (row["start_year"], row["end_year"]) == ("2016", "2020")
    assert row["summary"] == "Banks share red flags."
    assert row["outcomes"] == "More reports."
    assert row["provenance"] == "Comparable practice documented elsewhere"
    assert row["sources"] == "https://example.org/a; https://example.org/b"


def test_unknown_values_are_empty_cells(client, read_csv, taxonomy):
    PracticeFactory(published=True, start_year=None, outcomes="")

    (row,) = read_csv(client.get(EXPORT_URL))

    assert row["start_year"] == row["end_year"] == row["outcomes"] == ""
    assert row["countries"] == row["tags"] == row["partners"] == ""


def test_filename_carries_the_date_of_the_download(client, taxonomy):
    PracticeFactory(published=True)

    with time_machine.travel(datetime(2024, 3, 5, 12, tzinfo=UTC), tick=False):
        response = client.get(EXPORT_URL)

    assert response["Content-Disposition"] == (
        'attachment; filename="practices-2024-03-05.csv"'
    )


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_a_spreadsheet_would_run_are_made_text(
    client, read_csv, taxonomy, trigger
):
    risky = PracticeFactory(published=True, tags=["cmd"])
    # Stored as is, past the cleaning on save (core.text), as an older row or a
    # script may have stored them: the export protects whatever the database holds.
    Practice.objects.filter(pk=risky.pk).update(
        title=f'{trigger}HYPERLINK("https://evil.example","x")',
        summary=f"{trigger}1+1",
    )
    Tag.objects.filter(name="cmd").update(name=f"{trigger}cmd")
    PracticeFactory(published=True, title="Plain title", summary="a-b = c")

    rows = {row["summary"]: row for row in read_csv(client.get(EXPORT_URL))}

    risky = rows[f"'{trigger}1+1"]
    assert risky["title"] == f'\'{trigger}HYPERLINK("https://evil.example","x")'
    # One multi-valued cell is one cell: it is protected as a whole.
    assert risky["tags"] == f"'{trigger}cmd"
    plain = rows["a-b = c"]
    assert plain["title"] == "Plain title"


def test_list_offers_its_rows_as_csv_with_the_same_query(client, read_csv, taxonomy):
    PracticeFactory.create_batch(
        3, published=True, title="Bank hotline", sectors=[taxonomy["financial"]]
    )
    PracticeFactory(published=True, title="Bank audit", sectors=[taxonomy["supply"]])

    response = client.get(LIST_URL + "?q=bank&sector=financial&sort=oldest")

    link = re.search(
        r'<a class="button button-secondary" href="([^"]*)" download>'
        r"Download these (\d+) results as CSV</a>",
        response.text,
    )
    assert link, "the CSV link is on the page"
    href, count = html.unescape(link.group(1)), int(link.group(2))
    assert href == EXPORT_URL + "?q=bank&sector=financial&sort=oldest"
    assert count == 3
    assert len(read_csv(client.get(href))) == count


def test_csv_link_leaves_out_the_page_number(client, taxonomy):
    PracticeFactory.create_batch(PAGE_SIZE + 1, published=True, kind=taxonomy["tool"])

    response = client.get(LIST_URL + "?kind=technology-tool&page=2")

    assert response.context["export_url"] == EXPORT_URL + "?kind=technology-tool"
    assert f"Download these {PAGE_SIZE + 1} results as CSV" in response.text


def test_every_page_links_to_the_whole_csv(client, taxonomy):
    response = client.get(reverse("home"))

    assert f'<a href="{EXPORT_URL}">All practices as CSV</a>' in response.text
