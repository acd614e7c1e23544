"""Key pages pass axe-core's WCAG 2.1 A and AA rules and never scroll sideways, at
390 px and 1280 px; nor do the admin's pages."""

import pytest

from practices.models import Practice
from tests.browser.conftest import DESKTOP, KEY_PAGES, NODE_MODULES, PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""
SIDEWAYS = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""


@pytest.fixture(scope="module")
def axe_script():
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run scripts/ensure-test-tools.sh (npm ci installs "
            "axe-core from package.json).",
            pytrace=False,
        )
    return str(AXE)


def test_key_pages_have_no_wcag_violations_and_never_scroll_sideways(
    new_context, reference_content, axe_script
):
    # The site's CSP rightly refuses injected scripts; only this context bypasses it.
    page = new_context(bypass_csp=True).new_page()
    violations, overflowing = [], []
    for name, path, status in KEY_PAGES:
        page.set_viewport_size(DESKTOP)
        response = page.goto(path)
        assert response.status == status, f"{name} ({path}) gave {response.status}"
        page.add_script_tag(path=axe_script)
        # Phone first: the same page at both widths (the filters fold away on a phone).
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            where = f"{name} ({path}) at {viewport['width']}px"
            for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
                nodes = "\n      ".join(violation["nodes"])
                violations.append(
                    f"{where}: {violation['id']} [{violation['impact']}] "
                    f"{violation['help']}\n      {nodes}"
                )
            width = page.evaluate(SIDEWAYS)
            if width["scrollWidth"] > width["clientWidth"]:
                overflowing.append(f"{where}: {width}")

    assert not violations, "axe found WCAG 2.1 AA violations:\n" + "\n".join(violations)
    assert not overflowing, "pages scroll sideways:\n" + "\n".join(overflowing)


def test_admin_pages_never_scroll_sideways(new_context, reference_content, publisher):
    """The editors' pages too, the practice form with its wide Sources inline first."""
    practice = Practice.objects.get(slug="fintel-alliance")
    paths = [
        f"/admin/practices/practice/{practice.pk}/change/",
        "/admin/practices/practice/add/",
        "/admin/practices/practice/",
        "/admin/partnerships/meeting/",
        "/admin/",
    ]
    page = new_context().new_page()
    log_in(page, publisher.username)
    overflowing = []
    for path in paths:
        assert page.goto(path).status == 200, path
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            width = page.evaluate(SIDEWAYS)
            if width["scrollWidth"] > width["clientWidth"]:
                overflowing.append(f"{path} at {viewport['width']}px: {width}")
    assert not overflowing, "admin pages scroll sideways:\n" + "\n".join(overflowing)
