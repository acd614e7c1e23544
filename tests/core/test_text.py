"""Editors' text is stored without control characters, and snippets stay balanced.

Control characters arrive pasted from word processors and PDFs, or from fixtures; the
search snippets use two of them as match markers, so one in stored text used to leave
a <mark> open. Text is cleaned on every save (admin, loader, code alike) and the
highlight filter balances its marks whatever the text holds.
"""

import json
import re
import shutil

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compendium.templatetags.compendium import highlight
from core.listing.params import CONTROL_CHARACTERS
from core.search import HIGHLIGHT_START, HIGHLIGHT_STOP
from core.text import clean_text
from practices.models import Practice
from practices.search import refresh_search_vectors
from tests.factories import PracticeFactory
from tests.test_admin import form_errors, rendered_form_data

# Text biased towards what breaks things: the markers, other controls, markup.
NASTY = st.lists(
    st.one_of(
        st.sampled_from(
            [HIGHLIGHT_START, HIGHLIGHT_STOP, "\x00", "\x01", "\x1b", "\x7f"]
            + ["\r", "\n", "\r\n", "\t", "<", ">", "&", "<mark>", "</mark>"]
        ),
        st.text(max_size=5),
    ),
    max_size=30,
).map("".join)
MARK_TAG = re.compile(r"</?mark>")


@given(NASTY)
def test_clean_long_text_keeps_line_breaks_and_tabs_and_nothing_else(text):
    cleaned = clean_text(text, multiline=True)

    assert not CONTROL_CHARACTERS.search(cleaned)
    assert "\r" not in cleaned
    # Every line break (CR LF, CR or LF) is kept, as LF.
    assert cleaned.count("\n") == len(re.findall(r"\r\n|\r|\n", text))
    assert cleaned.count("\t") == text.count("\t")


@given(NASTY)
def test_clean_one_line_text_has_no_line_breaks(text):
    cleaned = clean_text(text, multiline=False)

    assert not CONTROL_CHARACTERS.search(cleaned)
    assert not set("\r\n\t") & set(cleaned)


@given(NASTY)
def test_any_snippet_highlights_with_balanced_marks(snippet):
    html = highlight(snippet)

    tags = MARK_TAG.findall(html)
    assert tags == ["<mark>", "</mark>"] * (len(tags) // 2)
    # Nothing else is markup: the text between the marks is escaped.
    assert "<" not in MARK_TAG.sub("", html)
    assert not CONTROL_CHARACTERS.search(html)


def test_a_stray_marker_in_the_text_does_not_unbalance_the_match():
    start, stop = HIGHLIGHT_START, HIGHLIGHT_STOP
    snippet = f"a {start}bank{stop} and {stop}x{start}y"

    assert highlight(snippet) == "a <mark>bank</mark> and x<mark>y</mark>"


# Cleaned on save, whoever saves ----------------------------------------------

DIRTY_TITLE = "Bank\x02 red\tflags\x00\n"
DIRTY_SUMMARY = "Banks\x03 share\x1b red flags.\r\nTwice\x7f a year."


@pytest.mark.django_db
def test_saving_content_stores_its_text_clean():
    practice = PracticeFactory(
        title=DIRTY_TITLE,
        summary=DIRTY_SUMMARY,
        description="Line one.\n\n\tIndented\x0c line two.",
        tags=["forced\x02 labour"],
    )

    stored = Practice.objects.values("title", "summary", "description").get(
        pk=practice.pk
    )
    assert stored == {
        "title": "Bank red flags ",
        "summary": "Banks share red flags.\nTwice a year.",
        "description": "Line one.\n\n\tIndented line two.",
    }
    assert [tag.name for tag in practice.tags.all()] == ["forced labour"]


@pytest.mark.django_db
def test_an_editor_saves_pasted_control_characters_through_the_admin(
    client, editor, taxonomy
):
    client.force_login(editor)
    add = reverse("admin:practices_practice_add")
    data = rendered_form_data(client.get(add))
    data.update(
        {
            # NUL the form itself refuses, with a message ("Null characters are
            # not allowed"); the other controls it lets through.
            "title_en_gb": "Bank\x02 red\tflags\x1b",
            "slug": "bank-red-flags",
            "summary_en_gb": DIRTY_SUMMARY,
            "description_en_gb": "First.\r\n\r\nSecond\x08.",
            "sectors": [str(taxonomy["financial"].pk)],
            "kind": str(taxonomy["fi_partnership"].pk),
        }
    )

    response = client.post(add, data)

    assert response.status_code == 302, form_errors(response)
    practice = Practice.objects.get(slug="bank-red-flags")
    assert (practice.title, practice.summary, practice.description) == (
        "Bank red flags",
        "Banks share red flags.\nTwice a year.",
        "First.\n\nSecond.",
    )


@pytest.mark.django_db
def test_the_reference_loader_stores_fixture_text_clean(settings, tmp_path):
    directory = tmp_path / "reference"
    shutil.copytree(settings.BASE_DIR / "fixtures" / "reference", directory)
    path = directory / "practices-supply-chain.json"
    data = json.loads(path.read_text())
    row = data["practices"][0]
    row["title"] = "\x02" + row["title"] + "\x00"
    row["summary"] = row["summary"] + "\x03\x1b"
    path.write_text(json.dumps(data))

    call_command("load_reference", directory=str(directory), verbosity=0)

    practice = Practice.objects.get(slug=row["slug"])
    assert practice.title == row["title"].strip("\x02\x00")
    assert practice.summary == row["summary"].rstrip("\x03\x1b")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_stored_marker_leaves_the_search_page_balanced(client, taxonomy):
    # A row stored before text was cleaned (an update bypasses save()).
    practice = PracticeFactory(published=True, title="Bank red flags")
    Practice.objects.filter(pk=practice.pk).update(
        summary=f"Banks {HIGHLIGHT_START}share red flags{HIGHLIGHT_START} of slavery."
    )
    refresh_search_vectors([practice.pk])

    response = client.get(reverse("practices:list"), {"q": "slavery"})

    snippet = re.search(r'<p class="snippet">(.*?)</p>', response.text, re.S).group(1)
    tags = MARK_TAG.findall(snippet)
    assert tags and tags == ["<mark>", "</mark>"] * (len(tags) // 2)


@settings(
    max_examples=40,
    deadline=None,  # a database round trip each: its time says nothing here
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=NASTY)
@pytest.mark.django_db
def test_any_text_saves_and_reads_back_clean_on_either_database(text):
    # PostgreSQL refuses NUL in text outright: cleaned first, every text saves.
    practice = PracticeFactory(title=f"t{text}"[:200], description=text)

    stored = Practice.objects.values_list("title", "description").get(pk=practice.pk)

    assert not any(CONTROL_CHARACTERS.search(value) for value in stored)
    practice.delete()
