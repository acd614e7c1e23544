"""Every public page in English, French, Spanish and Arabic: the address names the
language; the switcher and the hreflang links name the same page in the others."""

import html
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import override_settings

from practices.models import Provenance
from tests.factories import CountryFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LANGUAGES = [
    # (prefix, lang, dir, a word of its interface)
    ("", "en-gb", "ltr", "Practices"),
    ("/fr", "fr", "ltr", "Pratiques"),
    ("/es", "es", "ltr", "Prácticas"),
    ("/ar", "ar", "rtl", "الممارسات"),
]
HTML_TAG = re.compile(r'<html lang="([^"]+)" dir="([^"]+)">')


def alternates(text):
    return dict(
        re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', text)
    )


def switcher(text):
    nav = re.search(r'<nav class="language-switcher".*?</nav>', text, re.S).group(0)
    return {
        language: href.replace("&amp;", "&")
        for href, language in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', nav)
    }


@pytest.mark.parametrize(("prefix", "lang", "direction", "word"), LANGUAGES)
@pytest.mark.parametrize(
    "path",
    ["/", "/practices/", "/practices/shared-red-flags/", "/action-points/", "/about/"],
)
def test_each_language_answers_on_the_key_pages(
    client, content, prefix, lang, direction, word, path
):
    response = client.get(prefix + path)
    assert response.status_code == 200
    text = response.text
    assert HTML_TAG.search(text).groups() == (lang, direction)
    assert response["Content-Language"] == lang
    assert word in text


def test_the_address_alone_names_the_language(client, content):
    """No Accept-Language or cookie changes a public page: one address, one page,
    so a CDN keeps one copy and never needs to vary on the browser's language."""
    english = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="fr")
    assert HTML_TAG.search(english.text).group(1) == "en-gb"
    assert "accept-language" not in english.get("Vary", "").lower()
    french = client.get("/fr/practices/", HTTP_ACCEPT_LANGUAGE="en")
    assert HTML_TAG.search(french.text).group(1) == "fr"
    assert "accept-language" not in french.get("Vary", "").lower()
    assert not french.cookies


def test_the_switcher_and_hreflang_links_keep_path_and_query(client, content):
    query = "sector=financial&q=bank+red&page=1"
    response = client.get(f"/es/practices/?{query}")
    links = switcher(response.text)
    # The current language is not a link to itself.
    assert links == {
        "en-gb": f"/practices/?{query}",
        "fr": f"/fr/practices/?{query}",
        "ar": f"/ar/practices/?{query}",
    }
    assert '<span aria-current="true" lang="es">Español</span>' in response.text
    expected = {
        "en-gb": f"http://testserver/practices/?{query}",
        "fr": f"http://testserver/fr/practices/?{query}",
        "es": f"http://testserver/es/practices/?{query}",
        "ar": f"http://testserver/ar/practices/?{query}",
        "x-default": f"http://testserver/practices/?{query}",
    }
    found = {
        lang: href.replace("&amp;", "&")
        for lang, href in alternates(response.text).items()
    }
    assert found == expected


def test_every_switcher_link_opens_the_same_page(client, content):
    for href in switcher(client.get("/ar/practices/shared-red-flags/").text).values():
        response = client.get(href)
        assert response.status_code == 200
        # (lang="en-GB" on it where the title is not translated)
        assert re.search(rf"<h1[^>]*>{re.escape(content.title)}</h1>", response.text)


def test_a_missing_page_is_missing_in_its_language(client, db):
    response = client.get("/fr/practices/no-such-practice/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    # The same address in the other languages (missing there too) ...
    assert switcher(response.text)["ar"] == "/ar/practices/no-such-practice/"
    # ... or, for an address that names no page at all, each language's home.
    assert switcher(client.get("/fr/nowhere/").text)["ar"] == "/ar/"
    assert client.get("/de/practices/").status_code == 404


def test_the_admin_follows_the_browser_language(client, db):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Nom d’utilisateur" in response.text
    assert "accept-language" in response["Vary"].lower()
    assert client.get("/fr/admin/login/").status_code == 404


def test_the_api_and_the_exports_stay_english(client, content):
    """Data keeps stable English names (columns, keys, messages, choice labels)."""

    english = client.get("/practices/export.csv?partner_type=ngo")
    french = client.get("/fr/practices/export.csv?partner_type=ngo")
    assert french.status_code == 200
    assert b"".join(
        french.streaming_content if french.streaming else [french.content]
    ) == (
        b"".join(english.streaming_content if english.streaming else [english.content])
    )
    api = client.get("/api/v1/practices/?sector=nowhere", HTTP_ACCEPT_LANGUAGE="fr")
    assert "is not a known sector" in api.text
    assert "fr" not in api["Content-Language"]


def test_choice_labels_messages_and_counts_are_translated(client, content):
    PracticeFactory(published=True, provenance=Provenance.PRESENTED)
    text = html.unescape(client.get("/fr/practices/?sector=nowhere").text)
    assert (
        "« nowhere » n'est pas une valeur connue (secteur) ; elle a été ignorée."
        in text
    )
    text = client.get("/ar/practices/").text
    assert "عُرضت أو نوقشت في اجتماع" in text  # the provenance facet's label
    assert "ممارستان" in text  # Arabic's dual: two practices


def test_country_names_are_in_the_visitors_language(client, taxonomy):
    practice = PracticeFactory(published=True, slug="german-practice")
    practice.countries.add(CountryFactory(code="DE"))
    assert "Germany" in client.get("/practices/german-practice/").text
    assert "Allemagne" in client.get("/fr/practices/german-practice/").text
    assert "Alemania" in client.get("/es/practices/german-practice/").text
    assert "ألمانيا" in client.get("/ar/practices/german-practice/").text
    # The country facet and its chip, too.
    listed = client.get("/fr/practices/?country=DE").text
    assert re.search(r'<label for="f-country-de">Allemagne <span', listed)
    assert "Pays : Allemagne" in html.unescape(listed) or "Pays: Allemagne" in listed


def test_dates_are_written_in_the_language(client, db):
    with time_machine.travel(datetime(2025, 3, 5, 9, tzinfo=UTC), tick=False):
        PracticeFactory(published=True, slug="dated")
    assert "5 March 2025" in client.get("/practices/dated/").text
    assert "5 mars 2025" in client.get("/fr/practices/dated/").text
    assert "5 marzo 2025" in client.get("/es/practices/dated/").text
    assert "5 مارس 2025" in client.get("/ar/practices/dated/").text


@override_settings(FACET_CACHE_SECONDS=300)
def test_cached_facet_labels_are_kept_per_language(client, content):
    """Facet groups are cached per query with their labels, which are plain text
    by then (a country's name in the page's language): one entry per language."""
    from django.core.cache import cache

    cache.clear()
    PracticeFactory(published=True).countries.add(CountryFactory(code="DE"))
    english = '<label for="f-country-de">Germany <span'
    french = '<label for="f-country-de">Allemagne <span'
    assert english in client.get("/practices/").text
    assert french in client.get("/fr/practices/").text
    assert english in client.get("/practices/").text
