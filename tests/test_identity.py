"""The portal's identity on every page: wordmark, favicon and a footer that says what
the portal is, how to reach the editors and how to cite the Compendium."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders
from django.test.html import parse_html
from django.utils.html import strip_tags
from pytest_django.asserts import assertContains

from core.citation import COMPENDIUM_CITATION, COMPENDIUM_TITLE, COMPENDIUM_URL
from tests.factories import PracticeFactory
from tests.test_project import PRODUCTION, manage

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
PAGES = [
    ("/", 200),
    ("/practices/", 200),
    ("/practices/a-published-practice/", 200),
    ("/action-points/", 200),
    ("/about/", 200),
    ("/practices/no-such-practice/", 404),
]


def footer_of(response):
    """The footer's markup: the last <footer> of the page, as the browser parses it."""
    html = response.content.decode()
    return html[html.rindex('<footer class="site-footer">') :]


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_every_page_has_the_wordmark_favicon_and_footer(client, path, status):
    PracticeFactory(slug="a-published-practice", published=True)
    response = client.get(path)
    assert response.status_code == status
    html = response.content.decode()

    assert html.count('rel="icon"') == 1
    assertContains(
        response,
        '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">',
        html=True,
        status_code=status,
    )
    assert "data:," not in html
    # The mark is decoration: the link's words are its accessible name.
    header = parse_html(html[html.index("<header") : html.index("</header>") + 9])
    brand = _find(header, "a", "brand")
    assert brand.attributes == [("class", "brand"), ("href", "/")]
    mark = brand.children[0]
    assert mark.name == "svg" and ("aria-hidden", "true") in mark.attributes
    assert "".join(str(part) for part in brand.children[1].children) == (
        "Compendium Portal"
    )

    footer = footer_of(response)
    text = " ".join(strip_tags(footer).split())
    assert "The Compendium Portal is an independent presentation of the UNODC" in text
    assert "it is not a UNODC website" in text
    assert f"<cite>{COMPENDIUM_TITLE}</cite>" in footer
    assert f'<span class="citation">{COMPENDIUM_CITATION}</span>' in footer
    assert f'href="{COMPENDIUM_URL}"' in footer


def _find(element, name, css_class):
    for child in getattr(element, "children", []):
        if isinstance(child, str):
            continue
        if child.name == name and ("class", css_class) in child.attributes:
            return child
        if found := _find(child, name, css_class):
            return found
    return None


def test_the_compendium_citation_names_the_publication_as_the_reference_does():
    assert COMPENDIUM_CITATION == (
        "UNODC (2021). Compendium of Promising Practices on Public-Private "
        "Partnerships to Prevent and Counter Trafficking in Persons. "
        "https://www.unodc.org/unodc/en/ngos/ppp-compendium.html"
    )


def test_footer_offers_no_contact_when_none_is_configured(client, settings):
    settings.EDITORS_CONTACT = ""
    footer = footer_of(client.get("/"))
    assert "footer-contact" not in footer
    assert "mailto:" not in footer


@pytest.mark.parametrize(
    ("contact", "href", "text"),
    [
        ("editors@example.org", "mailto:editors@example.org", "editors@example.org"),
        (
            "https://example.org/contact/",
            "https://example.org/contact/",
            "example.org/contact",
        ),
    ],
    ids=["e-mail", "web address"],
)
def test_footer_links_to_the_configured_editors_contact(
    client, settings, contact, href, text
):
    settings.EDITORS_CONTACT = contact
    footer = footer_of(client.get("/about/"))
    assert (
        f'<p class="footer-contact">Corrections and suggestions to the editors: '
        f'<a href="{href}">{text}</a></p>'
    ) in footer


@pytest.mark.parametrize(
    "contact", ["editors", "javascript:alert(1)", "mailto:a@example.org"]
)
def test_settings_refuse_an_editors_contact_that_is_no_address(contact):
    result = manage("check", **{**PRODUCTION, "EDITORS_CONTACT": contact})

    assert result.returncode != 0
    assert "EDITORS_CONTACT must be an e-mail address" in result.stderr


def test_the_favicon_is_an_svg_with_its_own_dark_scheme():
    path = finders.find("img/favicon.svg")
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 32 32"
    assert "prefers-color-scheme:dark" in root.find(f"{SVG}style").text
