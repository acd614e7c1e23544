"""The key pages are valid HTML according to the Nu Html Checker (vnu)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, RequestFactory

from compendium.views import service_unavailable
from tests.browser.conftest import KEY_PAGES, NODE_MODULES

pytestmark = pytest.mark.browser

VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
# vnu needs a deep stack; the quick JIT tier and the serial GC halve its start-up.
UNAVAILABLE = "temporarily unavailable"
JAVA_OPTIONS = ["-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def _slug(name):
    return name.replace(" ", "-")


@pytest.fixture(scope="session")
def checked_pages(reference_snapshot, django_db_blocker, tmp_path_factory):
    """{page name: (status, [vnu errors])}, checked by one vnu run for all pages.

    The reference content is copied in (tests.snapshot) in a transaction that is
    rolled back, so the pages are real and no other test sees the rows.
    """
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail(
            "The Nu Html Checker needs Java and node_modules/vnu-jar: run "
            "scripts/ensure-test-tools.sh.",
            pytrace=False,
        )
    folder = tmp_path_factory.mktemp("html")
    statuses, files = {}, {}
    with django_db_blocker.unblock(), transaction.atomic():
        reference_snapshot.restore()
        client = Client()
        for name, path, _status in KEY_PAGES:
            response = client.get(path)
            statuses[name] = response.status_code
            files[name] = folder / f"{_slug(name)}.html"
            files[name].write_bytes(response.content)
        transaction.set_rollback(True)
    # Shown while the database is unreachable, so no address of its own to fetch.
    unavailable = service_unavailable(RequestFactory().get("/practices/"))
    statuses[UNAVAILABLE] = unavailable.status_code
    files[UNAVAILABLE] = folder / f"{_slug(UNAVAILABLE)}.html"
    files[UNAVAILABLE].write_bytes(unavailable.content)

    result = subprocess.run(
        [java, *JAVA_OPTIONS, "-jar", str(VNU), "--errors-only", "--format", "json"]
        + [str(f) for f in files.values()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu did not report in JSON:\n{result.stderr[-3000:]}")
    by_file = {f.name: [] for f in files.values()}
    for message in messages:
        where = Path(message.get("url", "").removeprefix("file:")).name
        assert where in by_file, f"vnu reported on an unknown file: {message}"
        extract = " ".join(message.get("extract", "").split())
        by_file[where].append(
            f"line {message.get('lastLine', '?')}: {message['message']}  [{extract}]"
        )
    return {name: (statuses[name], by_file[files[name].name]) for name in files}


@pytest.mark.parametrize(
    ("name", "path", "expected_status"), KEY_PAGES, ids=[_slug(p[0]) for p in KEY_PAGES]
)
def test_page_is_valid_html(checked_pages, name, path, expected_status):
    status, errors = checked_pages[name]
    assert status == expected_status, f"{path} gave {status}"
    assert not errors, f"{path} is not valid HTML:\n" + "\n".join(errors)


def test_the_temporarily_unavailable_page_is_valid_html(checked_pages):
    status, errors = checked_pages[UNAVAILABLE]
    assert status == 503
    assert not errors, "503.html is not valid HTML:\n" + "\n".join(errors)
