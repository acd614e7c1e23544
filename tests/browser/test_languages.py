"""In a real browser: Arabic reads right to left with the layout mirrored, and the
language switcher is plain links that keep the page and its query."""

import pytest

from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAYOUT = """() => {
  const box = (selector) => document.querySelector(selector).getBoundingClientRect();
  return {
    direction: getComputedStyle(document.documentElement).direction,
    sidebar: box(".sidebar").left,
    results: box(".results").left,
  };
}"""


def test_arabic_is_right_to_left_and_mirrors_the_layout(page, reference_content):
    page.set_viewport_size(DESKTOP)
    page.goto("/practices/?sector=financial")
    english = page.evaluate(LAYOUT)
    page.goto("/ar/practices/?sector=financial")
    arabic = page.evaluate(LAYOUT)
    assert english["direction"] == "ltr"
    assert arabic["direction"] == "rtl"
    # The filters sit at the start of the line: left in English, right in Arabic.
    assert english["sidebar"] < english["results"]
    assert arabic["sidebar"] > arabic["results"]
    assert page.locator("html").get_attribute("lang") == "ar"


def test_the_switcher_works_without_javascript_and_keeps_the_query(
    new_context, reference_content
):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/practices/?sector=financial&region=africa")
    chips = page.locator(".chips").inner_text()
    switcher = page.get_by_role("navigation", name="Language")
    switcher.get_by_role("link", name="Français").click()
    assert page.url.endswith("/fr/practices/?sector=financial&region=africa")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator(".chips li").count() == chips.count("×") + 1
    page.get_by_role("navigation", name="Langue").get_by_role(
        "link", name="العربية"
    ).click()
    assert page.url.endswith("/ar/practices/?sector=financial&region=africa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("navigation", name="اللغة").get_by_role(
        "link", name="English"
    ).click()
    assert page.url.endswith("/practices/?sector=financial&region=africa")
    assert "/ar/" not in page.url and "/fr/" not in page.url
