"""A visitor's road through the site in a browser: browse, filter, search, export."""

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.factories import CountryFactory, PracticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def practices(taxonomy):
    """Three match sector, stage, audience and "bank"; each of the others misses one."""
    financial, recruitment = taxonomy["financial"], taxonomy["recruitment"]
    police = taxonomy["law_enforcement"]

    def make(title, summary, *, sectors=None, stages=None, audiences=None, **extra):
        return PracticeFactory(
            title=title,
            summary=summary,
            description="Partners meet every quarter.",
            outcomes="Reports rose in the first year.",
            sectors=sectors or [financial],
            stages=stages or [recruitment],
            audiences=audiences or [police],
            **{"published": True, **extra},
        )

    matching = [
        make("Bank tellers spot recruitment debts", "Tellers flag debt bondage."),
        make("Police and banks share red flags", "A joint list of indicators."),
        make("Regional bank screens job adverts", "Payments for fake jobs stop."),
    ]
    make("Bank pilot still in draft", "Not public yet.", published=False)
    make("Hotline for migrant workers", "Complaints reach the police quickly.")
    make(
        "Bank guidance for inspectors",
        "Inspectors learn payroll red flags.",
        audiences=[taxonomy["labour_inspectors"]],
    )
    make(
        "Bank monitoring of remittances",
        "Unusual transfers are reported.",
        stages=[taxonomy["financial_flows"]],
    )
    make(
        "Bank app for platform workers",
        "Workers see their wages.",
        sectors=[taxonomy["technology"]],
    )
    return matching


def tick(page, facet, label):
    """Tick a facet option; static/js/enhance.js applies the filters at once."""
    with page.expect_navigation():
        page.locator(f"#facet-{facet}").get_by_label(label).click()


def shown_titles(page):
    return page.locator("ol.cards > li h3 a").all_inner_texts()


def test_filters_and_search_survive_a_detail_visit_and_the_csv_matches(
    new_context, page, practices
):
    page.goto("/")
    page.locator(".sector-cards").get_by_role("link", name="Financial sector").click()
    expect(page.locator("h1")).to_have_text("PPPs and the financial sector")

    page.get_by_role(
        "link", name=re.compile(r"(See all|Browse and filter the) \d+")
    ).click()
    page.wait_for_url("**/practices/?sector=financial")
    assert page.locator("#facet-sector").get_by_label("Financial sector").is_checked()

    tick(page, "stage", "Recruitment")
    tick(page, "audience", "Law enforcement")
    page.locator("#q").fill("bank")
    with page.expect_navigation():
        page.locator("#q").press("Enter")

    titles = shown_titles(page)
    assert sorted(titles) == sorted(practice.title for practice in practices)
    count = int(page.locator(".result-count strong").inner_text())
    assert count == len(titles) == 3
    list_url = page.url
    for expected in ("sector=financial", "stage=recruitment", "q=bank"):
        assert expected in list_url
    assert "year_from" not in list_url, "empty fields stay out of the address"

    page.get_by_role("link", name=titles[0]).click()
    expect(page.locator("h1")).to_have_text(titles[0])

    page.go_back()
    assert page.url == list_url
    assert page.locator("#facet-sector").get_by_label("Financial sector").is_checked()
    assert page.locator("#facet-stage").get_by_label("Recruitment").is_checked()
    assert page.locator("#facet-audience").get_by_label("Law enforcement").is_checked()
    assert page.locator("#q").input_value() == "bank"
    chips = " | ".join(page.locator(".chips a.chip").all_inner_texts())
    for chip in (
        "Sector: Financial sector",
        "Trafficking stage: Recruitment",
        "Audience: Law enforcement",
        "Search: bank",
    ):
        assert chip in chips
    assert shown_titles(page) == titles

    link = page.get_by_role("link", name=f"Download these {count} results as CSV")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(
        r"practices-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename
    )
    with open(download.path(), encoding="utf-8-sig", newline="") as csv_file:
        rows = list(csv.DictReader(csv_file))
    assert [row["title"] for row in rows] == titles
    assert len(rows) == count
    # No script error and no CSP refusal anywhere on the way.
    assert not new_context.console_errors


def test_a_long_facet_shows_all_and_narrows_as_you_type(page, taxonomy):
    """No country hides in a scroll box: the top ten, "Show all" for the rest, and
    (with JavaScript) a box that narrows them, accents ignored."""
    region = taxonomy["sub_saharan"]
    countries = [taxonomy["nigeria"], taxonomy["canada"], taxonomy["ivory_coast"]]
    for code in (
        "GH",
        "KE",
        "SN",
        "ML",
        "NE",
        "TG",
        "BJ",
        "BF",
        "GM",
        "GN",
        "SL",
        "LR",
    ):
        countries.append(CountryFactory(code=code, region=region))
    for country in countries:
        PracticeFactory(published=True, countries=[country])
    page.goto("/practices/")
    facet = page.locator("#facet-country")
    expect(facet.locator("input[type=checkbox]")).to_have_count(10)

    with page.expect_navigation():
        facet.get_by_role("link", name=re.compile(r"Show all 15")).click()
    expect(facet.locator("input[type=checkbox]")).to_have_count(15)

    facet.get_by_label("Find a country").fill("cote")
    visible = facet.locator("li:visible label")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("Côte d'Ivoire")


def test_compare_two_ticked_practices_without_javascript(new_context, practices):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/practices/?sector=financial")

    page.get_by_label("Compare “Bank tellers spot recruitment debts”").check()
    page.get_by_label("Compare “Police and banks share red flags”").check()
    page.get_by_role("button", name="Compare the ticked practices").click()

    expect(page).to_have_url(re.compile(r"/practices/compare/\?p=.+&p=.+"))
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Bank tellers spot recruitment debts", "Police and banks share red flags"]
    )
    expect(table.get_by_role("rowheader", name="Outcomes")).to_be_visible()


def test_gap_matrix_cell_leads_to_the_list_it_counts(new_context, practices):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/gaps/")

    table = page.get_by_role("table", name=re.compile("by trafficking stage"))
    row = table.get_by_role("row", name=re.compile("^Recruitment"))
    cell = row.get_by_role("cell").nth(1)  # the financial sector's column
    count = int(cell.inner_text().split()[0])
    cell.get_by_role("link").click()

    expect(page.locator(".result-count strong")).to_have_text(str(count))
