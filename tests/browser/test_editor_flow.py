"""An editor's draft stays private until a publisher publishes it, in a real browser."""

import csv
import io

import pytest

from practices.models import Practice
from tests.browser.conftest import log_in
from tests.factories import KindFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Port authority checks crew contracts with shipping lines"
SEARCH_WORD = "seafarers"


def choose_autocomplete(page, field_id, typed, option):
    """Pick ``option`` in the admin's select2 autocomplete for ``field_id``."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).click()
    assert page.locator(f"#{field_id} option:checked").inner_text() == option


def public_view(context, slug):
    """What an anonymous visitor finds of the practice: list, search, detail, CSV."""
    page = context.new_page()
    page.goto("/practices/")
    in_list = page.get_by_role("link", name=TITLE).count() > 0
    page.goto(f"/practices/?q={SEARCH_WORD}")
    in_list_search = page.get_by_role("link", name=TITLE).count() > 0
    page.goto(f"/search/?q={SEARCH_WORD}")
    in_site_search = page.get_by_role("link", name=TITLE).count() > 0
    detail_status = page.goto(f"/practices/{slug}/").status
    export = context.request.get("/practices/export.csv")
    assert export.ok
    titles = [
        row["title"]
        for row in csv.DictReader(io.StringIO(export.body().decode("utf-8-sig")))
    ]
    return {
        "list": in_list,
        "list search": in_list_search,
        "site search": in_site_search,
        "detail": detail_status,
        "csv": TITLE in titles,
    }


def test_editor_draft_is_private_until_a_publisher_publishes_it(
    new_context, editor, publisher, taxonomy
):
    KindFactory(name="Maritime partnership", slug="maritime-partnership")
    OrganisationFactory(name="Harbour Workers Union", slug="harbour-workers-union")
    OrganisationFactory(name="Harbourside Bank", slug="harbourside-bank")

    page = new_context().new_page()
    log_in(page, editor.username)
    page.goto("/admin/practices/practice/add/")
    page.get_by_label("Title [en-gb]:").fill(TITLE)
    page.keyboard.press("Tab")  # leaving the field fills in the slug
    assert page.get_by_label("Slug:").input_value() == (
        "port-authority-checks-crew-contracts-with-shipping-lines"
    )
    assert page.get_by_label("Status:").input_value() == "draft"
    # Editors write drafts; publishing is not theirs to choose.
    assert "Published" not in page.locator("#id_status option").all_inner_texts()
    page.get_by_label("Summary [en-gb]:").fill(
        f"Inspectors and shipping lines compare {SEARCH_WORD}' contracts with pay."
    )
    page.get_by_label("Supply chains").check()
    choose_autocomplete(page, "id_kind", "Mari", "Maritime partnership")
    choose_autocomplete(
        page, "id_partners-0-organisation", "Harbour Work", "Harbour Workers Union"
    )
    page.locator("#id_partners-0-role").select_option("lead")
    page.locator("#id_sources-0-title").fill("Port State Control annual report")
    page.locator("#id_sources-0-url").fill("https://example.org/port-report")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    practice = Practice.objects.get(title=TITLE)
    assert practice.status == "draft"
    assert [p.organisation.name for p in practice.partners.all()] == [
        "Harbour Workers Union"
    ]
    assert practice.sources.get().url == "https://example.org/port-report"

    before = public_view(new_context(), practice.slug)
    assert before == {
        "list": False,
        "list search": False,
        "site search": False,
        "detail": 404,
        "csv": False,
    }

    page = new_context().new_page()
    log_in(page, publisher.username)
    page.goto("/admin/practices/practice/")
    page.locator(f"input[name=_selected_action][value='{practice.pk}']").check()
    page.locator("select[name=action]").select_option("publish")
    with page.expect_navigation():
        page.get_by_role("button", name="Go").click()
    assert "1 practice published" in page.locator(".messagelist").inner_text()

    # A new visitor, so that no page cached by the first visitor's browser is reused.
    after = public_view(new_context(), practice.slug)
    assert after == {
        "list": True,
        "list search": True,
        "site search": True,
        "detail": 200,
        "csv": True,
    }
