"""The visitor's journey with the keyboard alone: Tab, Shift+Tab, Space and Enter."""

import pytest

from tests.factories import PracticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    value: el.value || "",
    text: (el.innerText || label || el.getAttribute("aria-label") || "").trim(),
    inMain: Boolean(el.closest("main")),
    inResults: Boolean(el.closest("ol.cards")),
    checked: Boolean(el.checked),
    outline: style.outlineStyle + " " + style.outlineWidth,
    visible: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== "none",
  };
}"""
MAX_PRESSES = 120


def focused(page):
    return page.evaluate(FOCUSED)


def press_until(page, wanted, key="Tab"):
    """Press ``key`` until ``wanted(focus)``; every stop on the way must show focus."""
    visited = []
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        focus = focused(page)
        assert focus is not None, f"{key} left focus on the page body after {visited}"
        assert focus["visible"], f"no visible focus indicator on {focus}"
        visited.append(focus["text"] or focus["name"] or focus["tag"])
        if wanted(focus):
            return focus
    raise AssertionError(f"never reached the target with {key}; visited {visited}")


def enter(page, key="Enter"):
    with page.expect_navigation():
        page.keyboard.press(key)


@pytest.fixture
def practices(taxonomy):
    shared = {
        "sectors": [taxonomy["financial"]],
        "audiences": [taxonomy["law_enforcement"]],
        "published": True,
    }
    return {
        "match": PracticeFactory(
            title="Bank tellers spot recruitment debts",
            stages=[taxonomy["recruitment"]],
            **shared,
        ),
        "other_stage": PracticeFactory(
            title="Bank monitoring of remittances",
            stages=[taxonomy["financial_flows"]],
            **shared,
        ),
        "no_bank": PracticeFactory(
            title="Hotline for migrant workers",
            summary="Complaints reach the police quickly.",
            stages=[taxonomy["recruitment"]],
            **shared,
        ),
    }


def test_skip_link_comes_first_and_moves_focus_to_the_main_content(page, practices):
    page.goto("/")
    page.keyboard.press("Tab")
    focus = focused(page)
    assert focus["text"] == "Skip to main content"
    assert focus["visible"], focus
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert focused(page)["inMain"], "Tab after the skip link went back to the header"


def test_keyboard_user_browses_filters_searches_and_opens_a_practice(
    new_context, page, practices
):
    page.goto("/")
    press_until(page, lambda f: f["text"] == "Financial sector")
    enter(page)
    assert page.locator("h1").inner_text() == "PPPs and the financial sector"

    press_until(page, lambda f: f["text"].startswith("Browse and filter the"))
    enter(page)

    press_until(page, lambda f: f["name"] == "stage" and f["value"] == "recruitment")
    enter(page, "Space")  # enhance.js applies the filter when the box is ticked
    assert "stage=recruitment" in page.url
    # After the reload the keyboard user is still on the option just ticked.
    focus = focused(page)
    assert (focus["name"], focus["value"], focus["checked"]) == (
        "stage",
        "recruitment",
        True,
    )
    assert focus["visible"], focus

    press_until(page, lambda f: f["id"] == "q", key="Shift+Tab")
    page.keyboard.type("bank")
    enter(page)
    assert "q=bank" in page.url and "stage=recruitment" in page.url

    link = press_until(page, lambda f: f["inResults"] and f["tag"] == "a")
    assert link["text"] == practices["match"].title
    enter(page)
    assert page.locator("h1").inner_text() == practices["match"].title
    assert not new_context.console_errors


def test_keyboard_user_starts_from_their_role_and_opens_a_practice(
    new_context, page, practices
):
    page.goto("/")
    press_until(page, lambda f: f["text"] == "Law enforcement")
    enter(page)
    assert page.locator("h1").inner_text() == "For law enforcement"

    link = press_until(page, lambda f: f["text"] == practices["match"].title)
    assert link["inMain"]
    enter(page)
    assert page.locator("h1").inner_text() == practices["match"].title
    assert not new_context.console_errors


def test_without_javascript_space_ticks_and_apply_filters_submits(
    new_context, practices
):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/practices/?sector=financial")
    press_until(page, lambda f: f["name"] == "stage" and f["value"] == "recruitment")
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    assert page.url.endswith("/practices/?sector=financial")  # nothing submitted yet

    press_until(page, lambda f: f["text"] == "Apply filters")
    enter(page)
    assert "stage=recruitment" in page.url
    titles = page.locator("ol.cards > li h3 a").all_inner_texts()
    assert sorted(titles) == sorted(
        [practices["match"].title, practices["no_bank"].title]
    )
