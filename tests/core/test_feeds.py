"""The Atom feed of a list: the rows the same query lists, newest first, read back
with feedparser as a feed reader would; never a draft."""

from datetime import UTC, datetime

import feedparser
import pytest
import time_machine
from django.urls import reverse

from core.models import Status
from tests.factories import (
    ActionPointFactory,
    MeetingFactory,
    PracticeFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


def publish_at(factory, when, sectors):
    with time_machine.travel(when, tick=False):
        return factory(published=True, sectors=sectors)


def test_practice_feed_lists_the_filtered_rows_newest_first(client):
    financial = SectorFactory(name="Financial sector", slug="financial")
    other = SectorFactory(name="Supply chains", slug="supply-chains")
    old = publish_at(
        PracticeFactory, datetime(2024, 1, 5, tzinfo=UTC), sectors=[financial]
    )
    new = publish_at(
        PracticeFactory, datetime(2025, 3, 9, tzinfo=UTC), sectors=[financial]
    )
    publish_at(PracticeFactory, datetime(2025, 6, 1, tzinfo=UTC), sectors=[other])
    PracticeFactory(sectors=[financial], title="Secret draft partnership")

    feed = read_feed(client, "/practices/feed.atom?sector=financial")

    assert [entry.link for entry in feed.entries] == [
        f"http://testserver{new.get_absolute_url()}",
        f"http://testserver{old.get_absolute_url()}",
    ]
    assert feed.entries[0].title == new.title
    assert feed.entries[0].summary == new.summary
    assert feed.entries[0].published_parsed[:3] == (2025, 3, 9)
    assert feed.feed.title == "New practices · Sector: Financial sector"
    # The feed links to the list it follows, with the same query.
    assert feed.feed.link == "http://testserver/practices/?sector=financial"


def test_feed_holds_the_same_rows_as_the_list(client):
    for number in range(3):
        PracticeFactory(published=True, title=f"Supplier audit programme {number}")
    PracticeFactory(published=True)
    page = client.get("/practices/?q=supplier")
    feed = read_feed(client, "/practices/feed.atom?q=supplier")
    listed = {
        f"http://testserver{p.get_absolute_url()}" for p in page.context["object_list"]
    }
    assert {entry.link for entry in feed.entries} == listed
    assert len(listed) == 3


def test_draft_and_unpublished_practices_never_reach_the_feed(client):
    draft = PracticeFactory(title="Draft partnership")
    shown = PracticeFactory(published=True, title="Public partnership")
    withdrawn = PracticeFactory(published=True, title="Withdrawn partnership")
    withdrawn.status = Status.DRAFT
    withdrawn.save()

    feed = read_feed(client, "/practices/feed.atom")
    body = client.get("/practices/feed.atom").content.decode()

    assert [entry.title for entry in feed.entries] == [shown.title]
    assert draft.title not in body
    assert withdrawn.title not in body


def test_action_points_of_a_draft_meeting_stay_out_of_their_feed(client):
    hidden_meeting = MeetingFactory(status=Status.DRAFT)
    ActionPointFactory(published=True, meeting=hidden_meeting, text="Hidden point.")
    shown = ActionPointFactory(published=True, text="Shared point.")
    feed = read_feed(client, reverse("partnerships:action_point_export_atom"))
    assert [entry.summary for entry in feed.entries] == [shown.text]


@pytest.mark.parametrize(
    "query",
    [
        "?sector=no-such-sector",
        "?page=abc",
        "?page=999",
        "?sort=nonsense",
        "?unknown=1&utm_source=x",
        "?q=%00%ff",
        "?start_year_min=abc",
    ],
)
def test_bad_parameters_answer_with_a_feed_never_an_error(client, query):
    PracticeFactory(published=True)
    feed = read_feed(client, f"/practices/feed.atom{query}")
    assert len(feed.entries) >= 0


def test_an_ignored_value_is_said_in_the_subtitle(client):
    PracticeFactory(published=True)
    feed = read_feed(client, "/practices/feed.atom?sector=no-such-sector")
    assert "no-such-sector" in feed.feed.subtitle
    assert len(feed.entries) == 1


@pytest.mark.parametrize(
    ("list_name", "feed_name"),
    [
        ("practices:list", "practices:export_atom"),
        ("practices:lesson_list", "practices:lesson_export_atom"),
        ("partnerships:meeting_list", "partnerships:meeting_export_atom"),
        ("partnerships:action_point_list", "partnerships:action_point_export_atom"),
        ("partnerships:strategy_list", "partnerships:strategy_export_atom"),
    ],
)
def test_list_page_links_its_feed_with_the_same_query(client, list_name, feed_name):
    PracticeFactory(published=True)
    response = client.get(reverse(list_name) + "?q=bank")
    html = response.content.decode()
    feed_url = reverse(feed_name) + "?q=bank"
    # In the <head> for feed readers, and beside the exports for people.
    assert (
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="Atom feed of this list" href="{feed_url}">' in html
    )
    assert (
        f'<a class="button button-secondary" href="{feed_url}" '
        'type="application/atom+xml">Follow new results (Atom feed)</a>' in html
    )
    read_feed(client, feed_url)


def test_organisations_have_no_feed(client):
    assert client.get("/organisations/feed.atom").status_code == 404
