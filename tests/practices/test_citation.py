"""Citing a practice, or a filtered list of them, and addresses that survive a new slug.

The files are read back with the parsers reference managers rely on (bibtexparser,
rispy), so a file that only looks right is not mistaken for one that imports.
"""

import datetime as dt
import json

import bibtexparser
import pytest
import rispy
import time_machine
from django.urls import reverse

from core.citation import COMPENDIUM_TITLE, COMPENDIUM_URL
from core.models import Status
from practices.models import PracticeOldSlug
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def practice(frozen):
    return PracticeFactory(
        published=True,
        slug="fiu-bank-red-flags",
        title="Red flags {for} banks & the FIU: 100% shared",
        summary="Banks and the FIU share indicators of trafficking.",
        tags=["banks", "money laundering"],
    )


def cite(client, practice, renderer):
    return client.get(
        reverse(f"practices:cite_{renderer}", kwargs={"slug": practice.slug})
    )


def test_practice_page_suggests_a_citation_with_portal_compendium_url_and_date(
    client, practice
):
    response = client.get(practice.get_absolute_url())

    plain = response.context["citation"].plain()
    assert plain.startswith("Compendium Portal (2026). Red flags {for} banks & the FIU")
    assert COMPENDIUM_TITLE in plain
    assert "(2021)" in plain
    assert "http://testserver/practices/fiu-bank-red-flags/" in plain
    assert "(accessed 1 December 2026)" in plain
    for href in ("cite.bib", "cite.ris", "cite.json"):
        assert f'href="/practices/fiu-bank-red-flags/{href}"' in response.text


def test_bibtex_file_parses_and_names_the_practice_url(client, practice, body):
    response = cite(client, practice, "bib")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert "fiu-bank-red-flags-2026-12-01.bib" in response["Content-Disposition"]
    library = bibtexparser.parse_string(body(response))
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "misc"
    assert entry["url"] == "http://testserver/practices/fiu-bank-red-flags/"
    assert entry["urldate"] == "2026-12-01"
    assert entry["year"] == "2026"
    assert entry["author"] == "{Compendium Portal}"
    # The special characters come back escaped for LaTeX, not as broken fields.
    assert entry["title"] == r"{Red flags \{for\} banks \& the FIU: 100\% shared}"
    assert COMPENDIUM_TITLE in entry["note"]
    assert COMPENDIUM_URL in entry["note"]


def test_ris_file_parses_and_names_the_practice_url(client, practice, body):
    response = cite(client, practice, "ris")

    assert response.status_code == 200
    (record,) = rispy.loads(body(response))
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == "Red flags {for} banks & the FIU: 100% shared"
    assert record["urls"] == ["http://testserver/practices/fiu-bank-red-flags/"]
    assert record["access_date"] == "2026/12/01"
    assert record["year"] == "2026"
    assert record["keywords"] == ["banks", "money laundering"]
    assert COMPENDIUM_TITLE in record["notes"][0]


def test_csl_json_is_valid_json_with_the_required_fields(client, practice):
    response = cite(client, practice, "csl")

    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json"
    (item,) = json.loads(response.content)
    # CSL-JSON requires id and type; a reference manager needs title and URL.
    assert item["id"] == "compendium-portal:fiu-bank-red-flags"
    assert item["type"] == "webpage"
    assert item["title"] == "Red flags {for} banks & the FIU: 100% shared"
    assert item["URL"] == "http://testserver/practices/fiu-bank-red-flags/"
    assert item["accessed"] == {"date-parts": [[2026, 12, 1]]}
    assert item["container-title"] == "Compendium Portal"
    assert COMPENDIUM_TITLE in item["note"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
@pytest.mark.parametrize("renderer", ["bib", "ris", "csl"])
def test_no_citation_file_for_an_unpublished_practice_even_for_staff(
    client, publisher, status, renderer
):
    draft = PracticeFactory(status=status, slug="secret-draft")
    client.force_login(publisher)

    assert cite(client, draft, renderer).status_code == 404
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert "citation" not in preview.context


def test_list_citations_hold_the_filtered_rows_in_the_list_order(
    client, frozen, taxonomy, body
):
    financial = taxonomy["financial"]
    for title in ("Beta bank pilot", "Alpha bank pilot"):
        PracticeFactory(published=True, title=title, sectors=[financial])
    PracticeFactory(published=True, title="Gamma platform", sectors=[])
    PracticeFactory(title="Draft bank pilot", sectors=[financial])
    query = {"sector": "financial", "sort": "title"}

    page = client.get(reverse("practices:list"), query)
    bib = body(client.get(reverse("practices:export_bib"), query))
    ris = body(client.get(reverse("practices:export_ris"), query))

    assert 'href="/practices/export.bib?sector=financial&amp;sort=title"' in page.text
    assert 'href="/practices/export.ris?sector=financial&amp;sort=title"' in page.text
    titles = [entry["title"] for entry in bibtexparser.parse_string(bib).entries]
    assert titles == ["{Alpha bank pilot}", "{Beta bank pilot}"]
    assert [record["title"] for record in rispy.loads(ris)] == [
        "Alpha bank pilot",
        "Beta bank pilot",
    ]


def test_list_citations_of_no_rows_are_an_empty_file(client, body):
    response = client.get(reverse("practices:export_ris"), {"q": "nothing-matches"})

    assert response.status_code == 200
    assert body(response) == ""


def test_other_lists_offer_no_citation_files(client):
    response = client.get(reverse("partnerships:action_point_list"))

    assert response.context["citation_links"] == []
    assert client.get("/action-points/export.bib").status_code == 404


# Permalinks -----------------------------------------------------------------------


def test_an_old_slug_redirects_permanently_to_the_current_one(client):
    practice = PracticeFactory(published=True, slug="first-name")
    practice.slug = "second-name"
    practice.save()
    practice.slug = "third-name"
    practice.save()

    for old in ("first-name", "second-name"):
        response = client.get(f"/practices/{old}/?ref=mail")
        assert response.status_code == 301
        assert response["Location"] == "/practices/third-name/?ref=mail"
    assert client.get("/practices/third-name/").status_code == 200
    old_bib = client.get("/practices/first-name/cite.bib")
    assert old_bib.status_code == 301
    assert old_bib["Location"] == "/practices/third-name/cite.bib"


def test_an_old_slug_taken_by_another_practice_leads_to_that_practice(client):
    first = PracticeFactory(published=True, slug="shared-name")
    first.slug = "renamed"
    first.save()
    second = PracticeFactory(published=True, slug="shared-name")

    response = client.get("/practices/shared-name/")

    assert response.status_code == 200
    assert response.context["practice"] == second
    assert not PracticeOldSlug.objects.filter(slug="shared-name").exists()


def test_taking_back_an_old_slug_forgets_it(client):
    practice = PracticeFactory(published=True, slug="original")
    practice.slug = "detour"
    practice.save()
    practice.slug = "original"
    practice.save()

    assert client.get("/practices/original/").status_code == 200
    assert client.get("/practices/detour/")["Location"] == "/practices/original/"
    assert list(practice.old_slugs.values_list("slug", flat=True)) == ["detour"]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
def test_an_unpublished_practice_old_slug_is_not_found(client, status):
    practice = PracticeFactory(status=status, slug="old-secret")
    practice.slug = "new-secret"
    practice.save()

    response = client.get("/practices/old-secret/")

    assert response.status_code == 404
    assert "new-secret" not in response.text
    assert client.get("/practices/old-secret/cite.ris").status_code == 404


def test_the_admin_shows_a_practice_old_addresses_read_only(admin_client):
    practice = PracticeFactory(published=True, slug="before")
    practice.slug = "after"
    practice.save()

    response = admin_client.get(
        reverse("admin:practices_practice_change", args=[practice.pk])
    )

    assert response.status_code == 200
    assert "old addresses (they redirect to the current one)" in response.text.lower()
    assert "before" in response.text
    assert 'name="old_slugs-0-slug"' not in response.text
