"""What search engines, crawlers and link previews read: the sitemap (parsed as
XML), robots.txt, the canonical address, OpenGraph and Twitter card metadata and
the schema.org JSON-LD (parsed as JSON). Drafts never appear in any of them."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.models import Status
from tests.factories import (
    CountryFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

#: The project's four interface languages (English unprefixed).
FOUR_LANGUAGES = settings.LANGUAGES
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}


class HeadParser(HTMLParser):
    """The <head>'s meta, link and JSON-LD script elements, as a crawler reads them."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld, self.title = {}, [], [], ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta[key] = attrs.get("content")
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json"
            self.json_ld.append("")
        elif tag == "title":
            self._in = "title"

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "json":
            self.json_ld[-1] += data
        elif self._in == "title":
            self.title += data


def head(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def canonical(parsed):
    (link,) = [link for link in parsed.links if link.get("rel") == "canonical"]
    return link["href"]


def sitemap_urls(client):
    """Every <url> of every sitemap the index names: {loc: (lastmod, {hreflang})}."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    root = ET.fromstring(index.content)
    urls = {}
    for loc in root.findall("sm:sitemap/sm:loc", NS):
        path = loc.text.removeprefix("http://testserver")
        page = client.get(path)
        assert page.status_code == 200, path
        for url in ET.fromstring(page.content).findall("sm:url", NS):
            alternates = {
                link.get("hreflang"): link.get("href")
                for link in url.findall("xhtml:link", NS)
            }
            lastmod = url.find("sm:lastmod", NS)
            urls[url.find("sm:loc", NS).text] = (
                lastmod.text if lastmod is not None else None,
                alternates,
            )
    return urls


def in_every_language(path_name, **kwargs):
    urls = set()
    for code, _name in FOUR_LANGUAGES:
        with translation.override(code):
            urls.add("http://testserver" + reverse(path_name, kwargs=kwargs))
    return urls


# Sitemap ----------------------------------------------------------------------


def test_sitemap_lists_published_content_in_every_language_and_no_draft(client):
    shown = PracticeFactory(published=True)
    draft = PracticeFactory(title="Draft partnership")
    withdrawn = PracticeFactory(published=True)
    withdrawn.status = Status.ARCHIVED
    withdrawn.save()
    meeting = MeetingFactory(published=True)
    draft_meeting = MeetingFactory()
    named = OrganisationFactory()
    shown.partners.create(organisation=named, role="partner", order=0)
    hidden = OrganisationFactory()
    draft.partners.create(organisation=hidden, role="partner", order=0)

    urls = sitemap_urls(client)

    assert in_every_language("practices:detail", slug=shown.slug) <= set(urls)
    assert in_every_language("partnerships:meeting_detail", slug=meeting.slug) <= set(
        urls
    )
    assert in_every_language("practices:organisation_detail", slug=named.slug) <= set(
        urls
    )
    for path in (
        reverse("home"),
        reverse("about"),
        reverse("practices:list"),
        reverse("partnerships:action_point_list"),
        reverse("partnerships:audience_list"),
        shown.sectors.first().get_absolute_url(),
    ):
        assert f"http://testserver{path}" in urls
    text = " ".join(urls)
    for slug in (draft.slug, withdrawn.slug, draft_meeting.slug, hidden.slug):
        assert f"/{slug}/" not in text


def test_sitemap_dates_a_practice_by_its_last_edit_and_names_its_languages(client):
    practice = PracticeFactory(published=True)
    url = "http://testserver" + practice.get_absolute_url()
    lastmod, alternates = sitemap_urls(client)[url]
    assert lastmod == practice.updated_at.date().isoformat()
    assert {code for code, _name in FOUR_LANGUAGES} <= set(alternates)
    for code, _name in FOUR_LANGUAGES:
        with translation.override(code):
            assert alternates[code] == "http://testserver" + reverse(
                "practices:detail", kwargs={"slug": practice.slug}
            )


def test_sitemap_splits_a_large_section_into_pages(client, monkeypatch):
    from compendium.sitemaps import PublicSitemap

    monkeypatch.setattr(PublicSitemap, "limit", 6)
    practices = [PracticeFactory(published=True) for _ in range(4)]
    root = ET.fromstring(client.get("/sitemap.xml").content)
    pages = [
        loc.text
        for loc in root.findall("sm:sitemap/sm:loc", NS)
        if "sitemap-practices.xml" in loc.text
    ]
    # 4 practices x 4 languages = 16 addresses, 6 a page.
    assert len(pages) == 3
    seen = []
    for page in pages:
        body = client.get(page.removeprefix("http://testserver")).content
        seen += [u.text for u in ET.fromstring(body).findall("sm:url/sm:loc", NS)]
    assert len(seen) == 16
    for practice in practices:
        assert seen.count("http://testserver" + practice.get_absolute_url()) >= 1


def test_sitemap_page_out_of_range_answers_404(client):
    assert client.get("/sitemap-practices.xml?p=99").status_code == 404
    assert client.get("/sitemap-practices.xml?p=abc").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


# robots.txt -------------------------------------------------------------------


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /*/export." in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /practices/" not in lines


# Canonical, OpenGraph, Twitter ------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/about/", "/practices/", "/meetings/", "/for/", "/gaps/"]
)
def test_every_page_has_a_canonical_address_and_a_link_preview(client, url):
    PracticeFactory(published=True)
    parsed = head(client, url)
    title = parsed.title.removesuffix(" · Compendium Portal").strip()
    assert parsed.meta["og:title"] == title
    assert parsed.meta["twitter:title"] == title
    assert parsed.meta["og:description"] == parsed.meta["description"]
    assert parsed.meta["og:site_name"] == "Compendium Portal"
    assert parsed.meta["og:type"] == "website"
    assert parsed.meta["twitter:card"] == "summary"
    assert parsed.meta["og:url"] == canonical(parsed) == f"http://testserver{url}"
    assert "og:image" not in parsed.meta


def test_list_canonical_keeps_its_filters_and_drops_everything_else(client):
    SectorFactory(slug="financial")
    parsed = head(
        client,
        "/practices/?utm_source=newsletter&sector=financial&q=bank&fbclid=x&page=1",
    )
    assert canonical(parsed) == "http://testserver/practices/?q=bank&sector=financial"


def test_detail_canonical_drops_the_query(client):
    practice = PracticeFactory(published=True)
    parsed = head(client, practice.get_absolute_url() + "?utm_campaign=x&ref=y")
    assert canonical(parsed) == "http://testserver" + practice.get_absolute_url()
    assert parsed.meta["og:type"] == "article"


# JSON-LD ----------------------------------------------------------------------


def test_practice_page_describes_the_practice_as_json_ld(client):
    country = CountryFactory()
    organisation = OrganisationFactory(name="First Bank")
    practice = PracticeFactory(
        published=True,
        title="Banks </script><script>alert(1)</script> & partners",
        countries=[country],
        tags=["red flags"],
        partners=[organisation],
    )
    response = client.get(practice.get_absolute_url())
    html = response.content.decode()
    # The title cannot close the element: < is escaped inside the JSON.
    assert "</script><script>alert(1)" not in html
    (data,) = [
        json.loads(text) for text in head(client, practice.get_absolute_url()).json_ld
    ]
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "CreativeWork"
    assert data["name"] == practice.title
    assert data["url"] == "http://testserver" + practice.get_absolute_url()
    assert data["description"] == practice.summary
    assert data["keywords"] == ["red flags"]
    assert data["spatialCoverage"] == [{"@type": "Country", "name": str(country.name)}]
    assert data["contributor"][0]["name"] == "First Bank"
    assert data["datePublished"].startswith(practice.published_at.date().isoformat())


def test_meeting_page_describes_an_event(client):
    meeting = MeetingFactory(
        published=True,
        title="Regional Expert Group Meeting for Africa",
        start_date="2021-03-01",
        date_precision="month",
        format="online",
    )
    (data,) = [json.loads(t) for t in head(client, meeting.get_absolute_url()).json_ld]
    assert data["@type"] == "Event"
    assert data["name"] == meeting.title
    assert data["startDate"] == "2021-03"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"


def test_organisation_page_describes_an_organisation(client):
    organisation = OrganisationFactory(
        name="Freedom Fund", website="https://example.org/", type="ngo"
    )
    PracticeFactory(published=True, partners=[organisation])
    url = organisation.get_absolute_url()
    (data,) = [json.loads(text) for text in head(client, url).json_ld]
    assert data["@type"] == "NGO"
    assert data["name"] == "Freedom Fund"
    assert data["sameAs"] == "https://example.org/"
    assert data["url"] == "http://testserver" + url


def test_list_pages_carry_no_json_ld(client):
    PracticeFactory(published=True)
    assert head(client, "/practices/").json_ld == []


def test_a_previewed_draft_gets_no_json_ld_and_asks_not_to_be_indexed(client, editor):
    draft = PracticeFactory(title="Unannounced partnership")
    client.force_login(editor)
    parsed = head(client, draft.get_absolute_url())
    assert parsed.json_ld == []
    assert parsed.meta["robots"] == "noindex"


def test_json_ld_is_not_blocked_by_the_content_security_policy(client):
    practice = PracticeFactory(published=True)
    response = client.get(practice.get_absolute_url())
    policy = response["Content-Security-Policy"]
    # A data block is never executed, so script-src 'self' does not apply to it;
    # no inline script is allowed all the same.
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert re.search(
        r'<script type="application/ld\+json">\{.*\}</script>',
        response.content.decode(),
    )
