"""The README documents each export's columns; the export's own definition must agree.

The README is what analysts and other systems read to parse the files, so a column
added, renamed or moved in the code without the README fails here.
"""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from partnerships.export import ACTION_POINT_EXPORT, MEETING_EXPORT
from practices.export import LESSON_EXPORT, ORGANISATION_EXPORT, PRACTICE_EXPORT

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_columns(stem):
    """The backquoted, comma-separated column list after ``<stem>-YYYY-MM-DD.csv``."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"`{re.escape(stem)}-YYYY-MM-DD\.csv`[^:]*:\s*`([^`]+)`", text)
    assert match, f"README documents no columns for {stem}"
    return [name.strip() for name in match.group(1).split(",")]


@pytest.mark.parametrize(
    "export",
    [
        PRACTICE_EXPORT,
        ACTION_POINT_EXPORT,
        ORGANISATION_EXPORT,
        MEETING_EXPORT,
        LESSON_EXPORT,
    ],
)
def test_readme_lists_the_export_columns_in_order(export):
    request = RequestFactory().get("/")
    headers = [column.header for column in export.columns(request)]

    assert documented_columns(export.stem) == headers
