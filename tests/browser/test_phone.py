"""Phone first and keyboard first: the lists at 390 px and 1280 px, with and without
JavaScript, and what a practice or a comparison looks like on paper."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_keyboard import focused

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every faceted list, filtered so that a chip shows, and its first result.
LISTS = [
    ("/practices/?sector=financial", "#results > li:first-child"),
    ("/action-points/?sector=financial", "#results > li:first-child"),
    ("/meetings/", "#results > li:first-child"),
    ("/lessons/?sector=financial", "#results > li:first-child"),
    ("/strategies/", "#results > li:first-child"),
    ("/organisations/?type=ngo", "#results tbody > tr:first-child"),
]
IN_FIRST_RESULT = (
    "(selector) => document.querySelector(selector).contains(document.activeElement)"
)


def top(page, selector):
    return page.locator(selector).first.bounding_box()["y"]


def test_on_a_phone_the_results_come_before_the_filters(new_context, reference_content):
    for javascript in (True, False):
        page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
        page.goto("/practices/?sector=financial&audience=law-enforcement")
        toggle = page.locator("details.filters-toggle > summary")
        assert toggle.inner_text() == "Filters (2 applied)"
        assert not page.locator("form.facets").is_visible()
        # What is applied shows above the results; the panel waits behind its control.
        chips = [
            " ".join(text.split())
            for text in page.locator(".chips a.chip").all_text_contents()
        ]
        assert chips[:2] == [
            "Remove filter Sector: Financial sector ×",
            "Remove filter Audience: Law enforcement ×",
        ]
        assert top(page, ".chips") < top(page, "#results")
        assert top(page, "#results") < PHONE["height"] * 1.25

        toggle.click()
        assert page.locator("form.facets").is_visible()
        page.get_by_label("Technology sector").check()
        if not javascript:
            page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**technology**")
        assert page.locator("details.filters-toggle > summary").inner_text() == (
            "Filters (3 applied)"
        )


def test_on_a_wide_screen_the_filter_sidebar_stays_beside_the_results(
    new_context, reference_content
):
    for javascript in (True, False):
        page = new_context(viewport=DESKTOP, java_script_enabled=javascript).new_page()
        page.goto("/practices/?sector=financial")
        facets = page.locator("form.facets")
        assert facets.is_visible()
        assert not page.locator("details.filters-toggle > summary").is_visible()
        sidebar = facets.bounding_box()
        assert (
            sidebar["x"] + sidebar["width"]
            <= page.locator("#results").bounding_box()["x"]
        )
        assert abs(top(page, "form.facets") - top(page, ".result-bar")) < 40
        # The options are there to use, not only to see.
        page.get_by_label("Technology sector").check()
        if not javascript:
            page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url("**sector=technology**")


def test_keyboard_reaches_the_first_result_within_five_tab_presses(
    new_context, reference_content
):
    for viewport in (PHONE, DESKTOP):
        for javascript in (True, False):
            context = new_context(viewport=viewport, java_script_enabled=javascript)
            page = context.new_page()
            for path, first_result in LISTS:
                where = f"{path} at {viewport['width']}px, JavaScript {javascript}"
                page.goto(path)
                presses, visited = 0, []
                while not page.evaluate(IN_FIRST_RESULT, first_result):
                    assert presses < 5, f"{where}: 5 Tab presses went to {visited}"
                    page.keyboard.press("Tab")
                    presses += 1
                    focus = focused(page)
                    visited.append(focus["text"])
                    assert focus["visible"], f"{where}: no visible focus on {focus}"
                    if focus["text"] == "Skip to results":
                        page.keyboard.press("Enter")
                        assert focused(page)["id"] == "results", where
                assert focused(page)["tag"] == "a", f"{where}: {visited}"
                assert visited[:2] == ["Skip to main content", "Skip to results"]
            context.close()


def test_skip_to_results_lands_on_the_empty_state_when_nothing_matches(page):
    page.goto("/practices/?q=zzzqqqxxx")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to results"
    page.keyboard.press("Enter")
    focus = focused(page)
    assert focus["id"] == "results" and "No practices" in focus["text"], focus


HIDDEN_IN_PRINT = [
    "header.site-header",
    "footer.site-footer",
    ".skip-link",
    "nav",
    ".header-search",
    ".breadcrumb",
]
AFTER = "(el) => getComputedStyle(el, '::after').content"


def test_a_practice_and_a_comparison_print_cleanly(page, reference_content):
    page.goto("/practices/fintel-alliance/")
    page.emulate_media(media="print")
    for selector in HIDDEN_IN_PRINT:
        for element in page.locator(selector).all():
            assert not element.is_visible(), selector
    assert page.locator("h1").is_visible()
    source = page.locator(".sources a").first
    assert source.evaluate(AFTER) == f'" <{source.get_attribute("href")}>"'
    assert page.locator(".detail-facts").is_visible()
    assert not page.locator(".cite-downloads").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")

    # A comparison: every column within the sheet.
    page.goto(
        "/practices/compare/?p=fintel-alliance&p=project-protect-canada"
        "&p=asia-pacific-banks-alliance"
    )
    page.emulate_media(media="print")
    # A4 at 96 px per inch, less Chromium's default margins: about 718 px wide.
    page.set_viewport_size({"width": 718, "height": 1000})
    for selector in [*HIDDEN_IN_PRINT, ".compare-form", ".table-links"]:
        for element in page.locator(selector).all():
            assert not element.is_visible(), selector
    table = page.locator("table.compare").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 718
    # One column per practice compared.
    assert page.locator("table.compare thead th").count() == 3
    assert page.pdf(format="A4").startswith(b"%PDF")
