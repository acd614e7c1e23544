"""Start from your role: /for/ and /for/<audience>/, walked by links only."""

import csv
import io
import json
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import reverse

from tests.factories import (
    ActionPointFactory,
    AudienceFactory,
    LessonLearnedFactory,
    MeetingFactory,
    PracticeFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db

ROLES_URL = reverse("partnerships:audience_list")


class Page(HTMLParser):
    """A page's links, and for each element with an id the links inside it."""

    def __init__(self, text):
        super().__init__()
        self.links = []  # (href, text)
        self.links_in = {}  # element id -> [href]
        self.ids = set()
        self._open = []  # (tag, id or None)
        self._link = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag in {"br", "img", "input", "meta", "link", "hr"}:
            return
        self._open.append((tag, attrs.get("id")))
        if tag == "a" and attrs.get("href"):
            self._link = [attrs["href"], ""]
            for _tag, element_id in self._open:
                if element_id:
                    self.links_in.setdefault(element_id, []).append(attrs["href"])

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        while self._open:
            if self._open.pop()[0] == tag:
                break


def follow(client, href):
    """GET an on-site link as a browser would, anchors dropped."""
    path, _fragment = urldefrag(href)
    parts = urlsplit(path)
    assert not parts.netloc, f"{href} leaves the site"
    response = client.get(parts.path, QUERY_STRING=parts.query)
    assert response.status_code == 200, href
    if response.streaming:
        # Read to the end, as a browser would: an unread export keeps its cursor open.
        response.body = b"".join(response.streaming_content)
    return response


def link_to(page, predicate):
    found = [href for href, _text in page.links if predicate(href)]
    assert found, "no such link on the page"
    return found[0]


@pytest.fixture
def role_content(taxonomy):
    """An audience with published and draft content around it, by short name."""
    inspectors = taxonomy["labour_inspectors"]
    meeting = MeetingFactory(published=True, short_title="Asia REGM")
    draft_meeting = MeetingFactory(short_title="Secret REGM")
    practice = PracticeFactory(
        published=True,
        title="Worker voice screening",
        sectors=[taxonomy["supply"]],
        audiences=[inspectors],
    )
    draft_practice = PracticeFactory(
        title="Unannounced draft practice",
        sectors=[taxonomy["supply"]],
        audiences=[inspectors],
    )
    content = {
        "audience": inspectors,
        "meeting": meeting,
        "practice": practice,
        "draft_practice": draft_practice,
        "from_meeting": ActionPointFactory(
            published=True,
            text="Screen workers in private during inspections.",
            audience=inspectors,
            sector=taxonomy["supply"],
            meeting=meeting,
        ),
        "across": ActionPointFactory(
            published=True,
            text="Share inspection findings with remediation programmes.",
            audience=inspectors,
        ),
        "financial": ActionPointFactory(
            published=True,
            text="Ask banks about wage payments that never reach workers.",
            audience=inspectors,
            sector=taxonomy["financial"],
        ),
        "draft": ActionPointFactory(
            text="Draft point nobody may read.",
            audience=inspectors,
            sector=taxonomy["supply"],
        ),
        "hidden_by_meeting": ActionPointFactory(
            published=True,
            text="Point of a draft meeting.",
            audience=inspectors,
            meeting=draft_meeting,
        ),
        "other_audience": ActionPointFactory(
            published=True,
            text="Freeze the accounts of traffickers.",
            audience=taxonomy["law_enforcement"],
            sector=taxonomy["financial"],
        ),
        "lesson": LessonLearnedFactory(
            published=True,
            text="Workers speak up where they trust the channel.",
            sector=taxonomy["supply"],
        ),
        "draft_lesson": LessonLearnedFactory(
            text="Draft lesson nobody may read.", sector=taxonomy["supply"]
        ),
        "technology_lesson": LessonLearnedFactory(
            published=True,
            text="Lesson of a sector inspectors are not in.",
            sector=taxonomy["technology"],
        ),
    }
    # The practices each point draws on: a draft among them is never shown.
    other_practice = PracticeFactory(
        published=True, title="Bank wage checks", sectors=[taxonomy["financial"]]
    )
    content["other_practice"] = other_practice
    content["from_meeting"].practices.set([practice, draft_practice])
    content["financial"].practices.set([practice, other_practice])
    content["draft"].practices.set([practice])
    content["strategies"] = {
        "for_audience": StrategyFactory(
            published=True,
            text="Inspectors should meet brands twice a year.",
            sector=taxonomy["technology"],
            order=3,
        ),
        "in_sector": StrategyFactory(
            published=True, text="Align supplier audits.", sector=taxonomy["supply"]
        ),
        "across": StrategyFactory(published=True, text="Share what each one knows."),
        "elsewhere": StrategyFactory(
            published=True,
            text="Scan for abuse imagery.",
            sector=taxonomy["technology"],
        ),
        "draft": StrategyFactory(text="Draft strategy nobody may read."),
        "draft_meeting": StrategyFactory(
            published=True, text="Strategy of a draft meeting.", meeting=draft_meeting
        ),
    }
    for name in ("for_audience", "draft", "draft_meeting"):
        content["strategies"][name].audiences.add(inspectors)
    return content


PUBLISHED_POINTS = ("from_meeting", "across", "financial")
DRAFT_TEXTS = (
    "Draft point nobody may read.",
    "Point of a draft meeting.",
    "Unannounced draft practice",
    "Secret REGM",
    "Draft lesson nobody may read.",
    "Draft strategy nobody may read.",
    "Strategy of a draft meeting.",
)


def test_a_person_reaches_every_action_point_of_their_role_from_the_home_page(
    client, role_content
):
    audience = role_content["audience"]
    home = Page(follow(client, reverse("home")).text)
    role_url = link_to(home, lambda href: href.endswith(f"/for/{audience.slug}/"))

    response = follow(client, role_url)
    page = Page(response.text)

    shown = {element for element in page.ids if element.startswith("action-")}
    expected = {f"action-{role_content[name].pk}" for name in PUBLISHED_POINTS}
    assert shown == expected
    meeting_url = role_content["meeting"].get_absolute_url()
    for name in PUBLISHED_POINTS:
        point = role_content[name]
        links = page.links_in.get(f"action-{point.pk}", [])
        # Every published practice behind the point is a link that opens it.
        behind = set(point.practices.published())
        linked = {href for href in links if href.startswith("/practices/")}
        assert linked == {practice.get_absolute_url() for practice in behind}, name
        for practice in behind:
            assert practice.title in follow(client, practice.get_absolute_url()).text
        # The meeting it came from, where it has one.
        meetings = {href for href in links if href.startswith("/meetings/")}
        if point.meeting:
            assert meetings == {meeting_url}
            assert "Asia REGM" in follow(client, meeting_url).text
        else:
            assert meetings == set()
    assert role_content["draft_practice"].get_absolute_url() not in response.text


def test_the_role_list_counts_published_content_of_each_audience(
    client, role_content, taxonomy
):
    empty = AudienceFactory(name="Judges", slug="judges")

    response = client.get(ROLES_URL)

    assert response.status_code == 200
    page = Page(response.text)
    hrefs = dict(page.links)
    for audience in (role_content["audience"], taxonomy["law_enforcement"], empty):
        assert reverse("partnerships:audience_detail", args=[audience.slug]) in hrefs
    text = " ".join(response.text.split())
    # Three published points and one practice: the draft point, the point of a draft
    # meeting and the draft practice are not counted.
    assert "Labour inspectors</a></h2>" in text
    inspectors = text.split("Labour inspectors</a></h2>")[1].split("</li>")[0]
    assert "3 action points · 1 practice" in inspectors
    judges = text.split("Judges</a></h2>")[1].split("</li>")[0]
    assert "0 action points · 0 practices" in judges
    follow(client, link_to(page, lambda href: href.endswith("/for/judges/")))


def test_the_role_page_groups_action_points_by_sector_with_cross_sector_last(
    client, role_content
):
    response = client.get(
        reverse("partnerships:audience_detail", args=["labour-inspectors"])
    )

    text = response.text
    supply = text.index('id="actions-supply-chain"')
    financial = text.index('id="actions-financial"')
    across = text.index('id="actions-across-sectors"')
    assert supply < financial < across
    assert text.index(role_content["from_meeting"].text) < financial
    assert financial < text.index(role_content["financial"].text) < across
    assert across < text.index(role_content["across"].text)
    assert "Freeze the accounts" not in text


def test_no_draft_reaches_the_role_pages_or_the_home_page(client, role_content):
    for url in (
        reverse("home"),
        ROLES_URL,
        reverse("partnerships:audience_detail", args=["labour-inspectors"]),
        reverse("partnerships:sector", args=["supply-chain"]),
    ):
        text = client.get(url).text
        for draft in DRAFT_TEXTS:
            assert draft not in text, (url, draft)


def test_the_role_page_shows_its_practices_and_lessons_with_links_to_the_full_lists(
    client, role_content, taxonomy
):
    audience = role_content["audience"]
    more = [
        PracticeFactory(
            published=True,
            title=f"Inspection practice {n}",
            sectors=[taxonomy["supply"]],
            audiences=[audience],
        )
        for n in range(7)
    ]
    response = client.get(reverse("partnerships:audience_detail", args=[audience.slug]))
    page = Page(response.text)
    text = " ".join(response.text.split())

    assert "Practices that serve labour inspectors (8)" in text
    assert "6 of 8 practices shown." in text
    full_list = follow(
        client, link_to(page, lambda href: href.startswith("/practices/?audience="))
    )
    listed = {practice.title for practice in full_list.context["object_list"]}
    assert listed == {role_content["practice"].title} | {p.title for p in more}

    # Lessons of the audience's sectors (supply chains, financial), not technology.
    assert role_content["lesson"].text in text
    assert role_content["technology_lesson"].text not in text
    lessons = follow(client, link_to(page, lambda href: href.startswith("/lessons/?")))
    assert [lesson.text for lesson in lessons.context["lessons"]] == [
        role_content["lesson"].text
    ]


def test_the_role_page_exports_are_the_lists_own_filtered_exports(client, role_content):
    page = Page(
        client.get(
            reverse("partnerships:audience_detail", args=["labour-inspectors"])
        ).text
    )
    csv_href = link_to(page, lambda href: href.startswith("/action-points/export.csv"))
    response = follow(client, csv_href)
    rows = list(csv.DictReader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert sorted(row["action"] for row in rows) == sorted(
        role_content[name].text for name in PUBLISHED_POINTS
    )
    json_href = link_to(page, lambda href: href.startswith("/api/v1/action-points/"))
    data = json.loads(follow(client, json_href).content)
    assert data["count"] == len(PUBLISHED_POINTS)
    practices = json.loads(
        follow(
            client, link_to(page, lambda href: href.startswith("/api/v1/practices/"))
        ).content
    )
    assert [row["title"] for row in practices["results"]] == ["Worker voice screening"]
    follow(client, link_to(page, lambda href: href.startswith("/practices/export.")))
    follow(client, link_to(page, lambda href: href.startswith("/lessons/export.")))


def test_an_audience_with_nothing_published_says_so(client, taxonomy):
    AudienceFactory(name="Judges", slug="judges")
    ActionPointFactory(text="Draft for judges.", audience__slug="judges")

    response = client.get(reverse("partnerships:audience_detail", args=["judges"]))

    assert response.status_code == 200
    text = " ".join(response.text.split())
    assert "No action points addressed to judges have been published yet." in text
    assert "No published practice is marked as serving judges yet." in text
    assert "Draft for judges." not in text


@pytest.mark.parametrize("slug", ["no-such-role", "Labour-Inspectors", "x" * 300])
def test_an_unknown_audience_is_not_found(client, taxonomy, slug):
    response = client.get(f"/for/{slug}/")

    assert response.status_code == 404


def test_the_home_page_offers_every_sector_and_every_audience(client, taxonomy):
    page = Page(client.get(reverse("home")).text)
    hrefs = {href for href, _text in page.links}

    for name in ("supply", "financial", "technology"):
        assert taxonomy[name].get_absolute_url() in hrefs
    for name in ("law_enforcement", "labour_inspectors"):
        assert (
            reverse("partnerships:audience_detail", args=[taxonomy[name].slug]) in hrefs
        )
    assert ROLES_URL in hrefs


def test_the_role_page_puts_the_strategies_for_the_audience_first(client, role_content):
    strategies = role_content["strategies"]
    response = client.get(
        reverse("partnerships:audience_detail", args=["labour-inspectors"])
    )
    page = Page(response.text)

    shown = [
        element
        for element in sorted(page.ids, key=response.text.index)
        if element.startswith("strategy-")
    ]
    # Addressed to inspectors (even in a sector they are not in), then those of
    # their sectors and across sectors, in editorial order.
    assert shown == [
        f"strategy-{strategies[name].pk}"
        for name in ("for_audience", "in_sector", "across")
    ]
    csv_links = [
        href for href, _text in page.links if href.startswith("/strategies/export.csv")
    ]
    assert len(csv_links) == 2
    by_link = []
    for href in csv_links:
        body = follow(client, href).body.decode("utf-8-sig")
        by_link.append(
            sorted(row["strategy"] for row in csv.DictReader(io.StringIO(body)))
        )
    assert by_link == [
        [strategies["for_audience"].text],
        sorted([strategies["in_sector"].text, strategies["across"].text]),
    ]


def test_sector_page_shows_its_strategies_and_those_across_sectors(
    client, role_content, taxonomy
):
    strategies = role_content["strategies"]
    response = client.get(taxonomy["supply"].get_absolute_url())

    text = response.text
    main = text.split('<div class="detail-main">')[1].split("<aside")[0]
    assert "Recommended strategies (2)" in main
    assert main.index(strategies["in_sector"].text) < main.index(
        strategies["across"].text
    )
    assert strategies["elsewhere"].text not in text
    assert strategies["for_audience"].text not in text
