"""The API's documentation page works in a real browser under the site's strict CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts (Playwright injects it, so the CSP allows it).
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_docs_page_shows_every_operation_and_runs_one_without_a_csp_violation(
    new_context, reference_content
):
    page = new_context().new_page()
    page.add_init_script(WATCH_CSP)

    response = page.goto("/api/v1/docs/")

    assert response.status == 200
    expect(page.locator(".info .title")).to_contain_text(
        "Compendium of Promising Practices API"
    )
    expect(page.locator(".opblock")).to_have_count(9)  # every list and detail
    operation = page.locator("#operations-practices-practices_list")
    operation.locator(".opblock-summary").click()
    operation.locator("input[placeholder=page_size]").fill("2")
    operation.get_by_role("button", name="Execute").click()
    expect(
        operation.locator(".live-responses-table tbody .response-col_status")
    ).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text('"count": 48')
    assert page.evaluate("window.cspViolations") == []
    assert not new_context.console_errors
    # The watcher does see a violation: an inline style attribute is refused.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.cspViolations")[0].startswith("style-src")
