"""Texts in several languages (django-modeltranslation, core.translation): a page
shows a text in the visitor's language where an editor wrote it, says plainly when it
shows English instead, and marks that English with ``lang``; search reads each
language's texts in its own configuration; the API takes ``lang``; the exports, the
filters and the order stay the same in every language."""

import io
import re

import openpyxl
import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation

from core.models import Status
from core.translation import TEXT_SEARCH_CONFIGS
from practices.models import Practice, PracticeQuerySet, Sector
from tests.factories import ActionPointFactory, MeetingFactory, PracticeFactory
from tests.test_admin import rendered_form_data

pytestmark = pytest.mark.django_db

NOTICE = {
    "fr": "Ce texte n’a pas encore été traduit",
    "es": "Este texto aún no se ha traducido",
    "ar": "لم يُترجَم هذا النص",
}
TITLE_FR = "Partage de signaux d’alerte entre banques"
SUMMARY_FR = (
    "Les banques et la cellule de renseignement financier partagent leurs typologies."
)


@pytest.fixture
def translated():
    """A published practice with its title and summary in French (not its
    description and outcomes), and one written in English only."""
    practice = PracticeFactory(
        published=True,
        slug="shared-red-flags",
        title="Shared red flags between banks",
        title_fr=TITLE_FR,
        summary_fr=SUMMARY_FR,
    )
    english_only = PracticeFactory(published=True, slug="english-only")
    return practice, english_only


def element_with(text, html):
    """The opening tag of the element whose text starts with ``text``."""
    match = re.search(r"<([a-z0-9]+)([^>]*)>\s*" + re.escape(text), html)
    assert match, f"{text!r} is not on the page"
    return match.group(0)


def test_a_page_shows_the_text_written_in_its_language(client, translated):
    practice, _ = translated

    page = client.get(f"/fr/practices/{practice.slug}/").text

    assert "<h1>" + TITLE_FR in page
    assert 'lang="en-GB"' not in element_with(SUMMARY_FR, page)
    # The description was not translated: shown in English, marked, and said.
    assert 'lang="en-GB"' in element_with("<p>" + practice.description, page)
    assert NOTICE["fr"] in page


def test_english_pages_and_translated_texts_carry_no_notice(client, translated):
    practice, _ = translated
    practice.description_fr = "Les analystes des deux côtés se réunissent."
    practice.outcomes_fr = "Davantage de déclarations d’opérations suspectes."
    practice.save()

    english = client.get(f"/practices/{practice.slug}/").text
    french = client.get(f"/fr/practices/{practice.slug}/").text

    assert practice.title in english and TITLE_FR not in english
    assert NOTICE["fr"] not in french
    for text in (TITLE_FR, SUMMARY_FR, practice.description_fr, practice.outcomes_fr):
        assert 'lang="en-GB"' not in element_with(text, french)


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_a_text_only_in_english_is_said_and_marked(client, translated, language):
    _, english_only = translated

    page = client.get(f"/{language}/practices/{english_only.slug}/").text

    assert NOTICE[language] in page
    heading = re.search(r"<h1[^>]*>", page).group(0)
    assert 'lang="en-GB"' in heading
    # On a right-to-left page the English runs left to right.
    assert ('dir="ltr"' in heading) == (language == "ar")


def test_lists_mark_each_title_in_the_language_it_is_shown_in(client, translated):
    practice, english_only = translated

    page = client.get("/fr/practices/").text

    assert 'lang="en-GB"' not in element_with(TITLE_FR, page)
    assert 'lang="en-GB"' in element_with(english_only.title, page)


def test_filters_and_order_mean_the_same_in_every_language(client, translated):
    """Queries read the English columns whatever the address (the library's
    rewriting into the active language's columns is off)."""

    english = client.get("/practices/").text
    french = client.get("/fr/practices/").text

    def order(page):
        return re.findall(r'href="(?:/fr)?/practices/([a-z0-9-]+)/"', page)

    assert [s for s in order(english) if s in ("shared-red-flags", "english-only")] == [
        s for s in order(french) if s in ("shared-red-flags", "english-only")
    ]
    with translation.override("fr"):
        # The library would read these as title_fr: a match, French values, and
        # an order by the mostly empty French titles.
        assert not Practice.objects.filter(title=TITLE_FR).exists()
        assert set(Practice.objects.values_list("title", flat=True)) == {
            translated[0].title_en_gb,
            translated[1].title_en_gb,
        }
        order_by = str(Practice.objects.all().query).split("ORDER BY")[1]
        assert "title_fr" not in order_by and "title" in order_by
        assert Practice.objects.filter(title_fr=TITLE_FR).exists()


def test_search_finds_the_texts_of_the_pages_language(client, translated):
    practice, english_only = translated
    # French words, in French forms the English text does not have.
    french_query = "banque" if connection.vendor == "postgresql" else "banques"

    french = client.get(f"/fr/practices/?q={french_query}").text
    english = client.get(f"/practices/?q={french_query}").text
    # A text not yet translated is still found by its English words.
    untranslated = client.get("/fr/practices/?q=analysts").text

    assert f"/fr/practices/{practice.slug}/" in french
    assert f"/practices/{practice.slug}/" not in english
    assert f"/fr/practices/{english_only.slug}/" in untranslated


@pytest.mark.postgres
def test_french_search_stems_french_words(client, translated):
    practice, _ = translated
    # "partagent" and "partage" share the French stem, not the English one.
    page = client.get("/fr/practices/?q=partager").text
    assert f"/fr/practices/{practice.slug}/" in page


@pytest.mark.postgres
def test_a_french_text_written_later_is_found_at_once(client, translated):
    practice, _ = translated
    assert (
        "/fr/practices/shared-red-flags/"
        not in client.get("/fr/practices/?q=travailleurs").text
    )

    practice.description_fr = "Les travailleurs saisonniers signalent les abus."
    practice.save()

    page = client.get("/fr/practices/?q=travailleur").text
    assert f"/fr/practices/{practice.slug}/" in page


@pytest.mark.postgres
@pytest.mark.parametrize("language", sorted(TEXT_SEARCH_CONFIGS))
def test_a_search_in_another_language_reads_its_stored_vector_through_an_index(
    translated, language
):
    # At scale a vector built for every row reads every text of every practice:
    # the stored one lets PostgreSQL combine the two GIN indexes.
    column = PracticeQuerySet.search_fields.language_column(language)
    assert Practice._meta.get_field(column)
    with translation.override(language), connection.cursor() as cursor:
        query = Practice.objects.search("banque")
        sql, params = query.values("pk").query.sql_with_params()
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"practice_search_{language}_gin" in plan
    assert "practice_search_gin" in plan


def test_the_exports_stay_english_from_a_page_in_another_language(
    client, translated, read_csv
):
    rows = read_csv(client.get("/fr/practices/export.csv"))
    assert {row["title"] for row in rows} == {
        "Shared red flags between banks",
        translated[1].title,
    }


@pytest.mark.parametrize("path", ["/practices/export.csv", "/fr/practices/export.csv"])
def test_an_export_asked_for_in_a_language_has_its_texts_and_labels(
    client, translated, read_csv, path
):
    """English column names; the texts editors translated, the sector names and the
    choice labels in French; English where nothing is translated. On PostgreSQL this
    is written without COPY, which reads the English columns."""
    practice, english_only = translated
    practice.maturity = "evaluated"
    practice.save()
    english = read_csv(client.get(path))
    french = read_csv(client.get(path, {"lang": "fr"}))

    assert list(french[0]) == list(english[0])
    by_title = {row["title"]: row for row in french}
    assert set(by_title) == {TITLE_FR, english_only.title}
    assert by_title[TITLE_FR]["summary"] == SUMMARY_FR
    assert by_title[TITLE_FR]["outcomes"] == practice.outcomes
    english_row = {row["title"]: row for row in english}[practice.title]
    assert english_row["maturity"] == "Evaluated"
    assert by_title[TITLE_FR]["maturity"] == "Évaluée"


def test_a_spreadsheet_in_spanish_keeps_english_columns(client, translated):
    practice, english_only = translated
    practice.title_es = "Señales de alerta compartidas"
    practice.save()

    response = client.get("/practices/export.xlsx", {"lang": "es"})

    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header[0] == "title"
    assert {row[0] for row in rows} == {
        "Señales de alerta compartidas",
        english_only.title,
    }


def test_a_page_in_another_language_links_its_exports_in_it(client, translated):
    french = client.get("/fr/practices/?sector=financial").text
    english = client.get("/practices/?sector=financial").text

    assert "export.csv?sector=financial&amp;lang=fr" in french
    assert "lang=" not in english.split('class="downloads"', 1)[1].split("</main>")[0]


@pytest.mark.parametrize(
    "path",
    [
        "/practices/export.csv",
        "/practices/export.xlsx",
        "/action-points/export.csv",
        "/gaps/regions-stages.csv",
    ],
)
def test_an_export_in_an_unknown_language_gets_a_clear_400(client, translated, path):
    response = client.get(path, {"lang": "klingon"})
    assert response.status_code == 400
    assert "lang parameter names a language" in response.content.decode()


def test_the_api_answers_in_the_language_it_is_asked_for(client, translated):
    practice, english_only = translated

    french = client.get("/api/v1/practices/?lang=fr")
    english = client.get("/api/v1/practices/")
    detail = client.get(f"/api/v1/practices/{practice.slug}/?lang=fr")

    assert french.status_code == 200 and french["Content-Language"] == "fr"
    titles = {row["title"] for row in french.json()["results"]}
    assert titles == {TITLE_FR, english_only.title}
    assert {row["title"] for row in english.json()["results"]} == {
        practice.title,
        english_only.title,
    }
    assert detail.json()["title"] == TITLE_FR
    assert detail.json()["summary"] == SUMMARY_FR


@pytest.mark.parametrize("value", ["de", "xx", "", "fr-fr", "<script>"])
def test_an_unknown_language_gets_a_clear_400(client, translated, value):
    response = client.get("/api/v1/practices/", {"lang": value})
    detail = client.get("/api/v1/practices/shared-red-flags/", {"lang": value})

    for answer in (response, detail):
        assert answer.status_code == 400
        assert "language" in answer.json()["detail"]


def test_no_draft_reaches_the_api_in_any_language(client, translated):
    PracticeFactory(status=Status.DRAFT, slug="draft", title_fr="Brouillon secret")

    for language in ("fr", "es", "ar"):
        answer = client.get("/api/v1/practices/", {"lang": language})
        assert "Brouillon secret" not in answer.text
        assert answer.json()["count"] == 2


def test_action_points_come_in_the_language_asked_for(client, db):
    meeting = MeetingFactory(published=True)
    point = ActionPointFactory(
        published=True,
        meeting=meeting,
        text="Share indicators every quarter.",
        text_es="Compartir indicadores cada trimestre.",
    )

    page = client.get("/es/action-points/").text
    api = client.get("/api/v1/action-points/", {"lang": "es"}).json()

    assert "Compartir indicadores cada trimestre." in page
    assert [row["action"] for row in api["results"]] == [point.text_es]


@override_settings(LANGUAGE_CODE="en-gb")
def test_an_editor_in_a_french_admin_keeps_the_english_source(admin_client, translated):
    """The admin has a field per language; saving from an admin shown in French
    writes the English field into the column the exports and the search read."""
    practice, _ = translated
    change = f"/admin/practices/practice/{practice.pk}/change/"
    form = admin_client.get(change, HTTP_ACCEPT_LANGUAGE="fr")
    data = rendered_form_data(form)
    assert data["title_fr"] == TITLE_FR
    assert data["title_en_gb"] == practice.title

    answer = admin_client.post(
        change,
        {**data, "title_en_gb": "Red flags shared", "title_es": "Señales compartidas"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert answer.status_code == 302
    row = Practice.objects.filter(pk=practice.pk).values(
        "title", "title_en_gb", "title_fr", "title_es"
    )[0]
    assert row == {
        "title": "Red flags shared",
        "title_en_gb": "Red flags shared",
        "title_fr": TITLE_FR,
        "title_es": "Señales compartidas",
    }


def test_the_sector_texts_are_translated(client, reference_content):
    for sector in Sector.objects.all():
        for language in ("fr", "es", "ar"):
            for field in ("name", "summary", "description"):
                assert getattr(sector, f"{field}_{language}"), (sector, field, language)
    page = client.get("/fr/sectors/financial/").text
    assert "Secteur financier" in page or "secteur financier" in page
    assert NOTICE["fr"] not in page
    # English stays the source.
    assert Sector.objects.get(slug="financial").name == "Financial sector"


def test_the_sector_filter_names_sectors_in_the_pages_language(client, translated):
    practice, _ = translated
    sector = practice.sectors.get()
    sector.name_fr = "Secteur de l’essai"
    sector.save()

    french = client.get(f"/fr/practices/?sector={sector.slug}").text
    api = client.get("/api/v1/practices/", {"lang": "fr"}).json()

    # In the facet and in the chip of the filter applied.
    assert french.count("Secteur de l’essai") >= 2
    labels = {
        option["label"]
        for group in api["facets"]
        if group["param"] == "sector"
        for option in group["options"]
    }
    assert "Secteur de l’essai" in labels
    assert sector.name in client.get(f"/practices/?sector={sector.slug}").text
