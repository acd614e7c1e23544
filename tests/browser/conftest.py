"""A real headless Chromium for the browser tests, plus what they share.

Debian's chromium (scripts/ensure-test-tools.sh installs it) is driven through
Playwright's sync API: one browser for the session, a fresh context per test. A missing
browser fails the tests loudly; it never skips them. When a browser test fails, a
screenshot and the URL of every open page land in test-artifacts/.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
NODE_MODULES = REPO / "node_modules"
PASSWORD = "correct horse battery staple"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Generous for a loaded 2-core CI machine, short enough that a hang fails quickly.
TIMEOUT_MS = 10_000

# The pages the accessibility and HTML-validity checks cover, over the reference
# content: (name, path, expected status).
KEY_PAGES = [
    ("home", "/", 200),
    ("sector", "/sectors/financial/", 200),
    ("sector without meeting insights", "/sectors/technology/", 200),
    ("roles", "/for/", 200),
    ("role page", "/for/labour-inspectors/", 200),
    ("role page across sectors", "/for/policymakers/", 200),
    (
        "filtered practice list",
        "/practices/?sector=financial&audience=law-enforcement&q=bank",
        200,
    ),
    (
        "practice list with a region tree, every country and a decade",
        "/practices/?region=africa&more=country&year_from=2010&year_to=2019&page=1",
        200,
    ),
    (
        "composition-filtered practice list",
        "/practices/?with=financial_intelligence_unit&with=financial_institution",
        200,
    ),
    ("gap matrix", "/gaps/?with=financial_institution", 200),
    (
        "compare",
        "/practices/compare/?p=fintel-alliance&p=project-protect-canada"
        "&p=asia-pacific-banks-alliance",
        200,
    ),
    ("practice detail", "/practices/asia-pacific-banks-alliance/", 200),
    (
        "practice whose organisation took part in a meeting",
        "/practices/project-protect-canada/",
        200,
    ),
    (
        "practice list by provenance and maturity",
        "/practices/?provenance=organisation&maturity=evaluated",
        200,
    ),
    ("about, with the counts and the maturity rubric", "/about/", 200),
    ("meeting detail", "/meetings/regm-americas-2020/", 200),
    ("meeting with action points", "/meetings/consultation-2020/", 200),
    ("practice with action points drawn from it", "/practices/fintel-alliance/", 200),
    ("meeting without published outcomes", "/meetings/regm-africa-2021/", 200),
    ("action points", "/action-points/", 200),
    ("organisations", "/organisations/?type=ngo", 200),
    ("meetings", "/meetings/", 200),
    ("lessons", "/lessons/?sector=financial", 200),
    ("lessons across sectors", "/lessons/?sector=none", 200),
    ("strategies", "/strategies/", 200),
    ("filtered strategies", "/strategies/?sector=none&audience=academia&q=crimes", 200),
    (
        "practice with lessons and a strategy",
        "/practices/outland-denim-survivor-employment/",
        200,
    ),
    ("practice with a lesson", "/practices/fintel-alliance/", 200),
    ("site search for strategies and lessons", "/search/?q=survivors", 200),
    ("site search", "/search/?q=bank", 200),
    ("site search with did you mean", "/search/?q=trafficing", 200),
    ("practice list with did you mean", "/practices/?q=trafficing+bank", 200),
    ("page not found", "/practices/no-such-practice/", 404),
    # Arabic, written right to left, with the layout mirrored.
    ("home in Arabic", "/ar/", 200),
    (
        "filtered practice list in Arabic",
        "/ar/practices/?sector=financial&audience=law-enforcement&q=bank",
        200,
    ),
    ("practice detail in Arabic", "/ar/practices/asia-pacific-banks-alliance/", 200),
    ("action points in Arabic", "/ar/action-points/", 200),
    ("practice list in French", "/fr/practices/?region=africa", 200),
    ("admin login", "/admin/login/", 200),
]


def chromium_executable():
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    # Playwright's sync API keeps an event loop in this thread; Django would otherwise
    # refuse database access from it (SynchronousOnlyOperation).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = chromium_executable()
    if executable is None:
        pytest.fail(
            "Chromium is not installed, so the browser tests cannot run. Install it "
            "with scripts/ensure-test-tools.sh (Debian's chromium package); never "
            "with `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts (one per visitor) against the live server.

    Every context made here is closed after the test, and screenshotted first if the
    test failed (see pytest_runtest_makereport below). ``make.console_errors``
    collects what any of their pages logged as an error (a CSP refusal, a script
    error, a failed request).
    """
    contexts, console_errors = [], []

    def watch(page):
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and console_errors.append(f"{page.url}: {message.text}")
            ),
        )
        page.on(
            "pageerror", lambda error: console_errors.append(f"{page.url}: {error}")
        )

    def make(**options):
        options = {"base_url": live_server.url, "viewport": DESKTOP, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", watch)
        contexts.append(context)
        return context

    make.contexts = contexts
    make.console_errors = console_errors
    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def editor(editorial_groups, editor):
    return editor


@pytest.fixture
def publisher(editorial_groups, publisher):
    return publisher


def log_in(page, username, password=PASSWORD):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.url.rstrip("/").endswith("/admin"), page.url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep a screenshot and the URL of every open page of a failed browser test."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    make = item.funcargs.get("new_context") if hasattr(item, "funcargs") else None
    if make is None:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[-150:]
    saved = []
    for c_index, context in enumerate(make.contexts):
        for p_index, open_page in enumerate(context.pages):
            target = ARTIFACTS / f"{stem}-{c_index}-{p_index}.png"
            try:
                open_page.screenshot(path=str(target), full_page=True)
                url = open_page.url
            except Exception as error:  # the failure report matters more
                url = f"(no screenshot: {error})"
            target.with_suffix(".url.txt").write_text(url + "\n", encoding="utf-8")
            saved.append(f"{target.relative_to(REPO)}  {url}")
    if saved:
        report.sections.append(("browser artifacts", "\n".join(saved)))


@pytest.fixture
def reference_content(editorial_groups, reference_content):
    """The groups first: their data migrations move content types between apps, which
    must happen before revisions of the loaded content point at them."""
    return reference_content
