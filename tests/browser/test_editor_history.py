"""Two people edit one practice in real browsers: the stale save is refused, shown,
and the second editor's typing survives; the history then shows what changed."""

import pytest

from tests.browser.conftest import log_in
from tests.factories import PracticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stale_save_is_refused_in_the_browser_and_the_typing_is_kept(
    new_context, editor, publisher, taxonomy
):
    practice = PracticeFactory(
        summary="Banks share red flags.", description="The first description."
    )
    url = f"/admin/practices/practice/{practice.pk}/change/"
    first = new_context().new_page()
    second = new_context().new_page()
    log_in(first, publisher.username)
    log_in(second, editor.username)
    first.goto(url)
    second.goto(url)

    first.get_by_label("Summary [en-gb]:").fill("Banks and regulators share red flags.")
    with first.expect_navigation():
        first.get_by_role("button", name="Save", exact=True).click()
    second.get_by_label("Description [en-gb]:").fill("The second editor's description.")
    with second.expect_navigation():
        second.get_by_role("button", name="Save", exact=True).click()

    refusal = second.locator(".stale-form")
    assert "Someone else saved this item after you opened it" in refusal.inner_text()
    assert refusal.get_by_role("row", name="Summary").count() == 1
    assert "Banks and regulators share red flags." in refusal.inner_text()
    assert second.get_by_label("Description [en-gb]:").input_value() == (
        "The second editor's description."
    )
    practice.refresh_from_db()
    assert practice.summary == "Banks and regulators share red flags."
    assert practice.description == "The first description."

    first.goto(f"/admin/practices/practice/{practice.pk}/history/")
    first.get_by_role("link", name="Changes").first.click()
    diff = first.locator(".version-changes")
    assert diff.locator("ins").first.inner_text() == (
        "Banks and regulators share red flags."
    )
    assert diff.locator("del").first.inner_text() == "Banks share red flags."
