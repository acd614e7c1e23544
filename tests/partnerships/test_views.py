"""Meetings, action points (list, filters, CSV) and organisations, for the public."""

import html
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse

from partnerships.filters import ActionPointFilterSet
from partnerships.models import ActionPoint
from practices.models import OrganisationType, PracticePartner
from tests.factories import (
    ActionPointFactory,
    AudienceFactory,
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

ACTION_POINTS_URL = reverse("partnerships:action_point_list")
ACTION_POINTS_CSV = reverse("partnerships:action_point_export")
ACTION_POINTS_PAGE = 50


# Meetings -----------------------------------------------------------------------------


def test_meeting_list_shows_each_meeting_with_its_counts(client, taxonomy):
    meeting = MeetingFactory(
        published=True,
        title="Africa Regional Expert Group Meeting",
        region=taxonomy["africa"],
        start_date=date(2021, 6, 22),
    )
    InsightFactory.create_batch(2, meeting=meeting)
    ActionPointFactory(published=True, meeting=meeting)
    ActionPointFactory(meeting=meeting)  # a draft is not counted
    undated = MeetingFactory(published=True, date_note="late August 2020")

    response = client.get(reverse("partnerships:meeting_list"))

    assert response.status_code == 200
    text = response.text
    assert f'<a href="{meeting.get_absolute_url()}">{meeting.title}</a>' in text
    assert '<time datetime="2021-06-22">22 June 2021</time>' in text
    assert "2 insights · 1 action point" in text
    assert f'<a href="{undated.get_absolute_url()}">' in text
    assert "late August 2020" in text


def test_meeting_page_shows_insights_action_points_practices_and_organisations(
    client, taxonomy
):
    organisation = OrganisationFactory(name="Coastal Bank")
    practice = PracticeFactory(published=True, title="Bank red flags")
    meeting = MeetingFactory(
        published=True,
        title="Americas Regional Expert Group Meeting",
        short_title="Americas REGM",
        description="Two days.\n\nFour panels.",
        region=taxonomy["americas"],
        participants_count=120,
    )
    meeting.organisations.add(organisation)
    meeting.practices.add(practice)
    InsightFactory(
        meeting=meeting, text="Trust grows slowly.", sector=taxonomy["financial"]
    )
    point = ActionPointFactory(
        published=True,
        meeting=meeting,
        audience=taxonomy["law_enforcement"],
        text="Share typologies.",
    )

    response = client.get(meeting.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    for fragment in (
        "<h1>Americas Regional Expert Group Meeting</h1>",
        "<p>Two days.</p>",
        "Trust grows slowly.",
        "<strong>Law enforcement:</strong> "
        f'<a href="{point.get_absolute_url()}">Share typologies.</a>',
        f'<a href="{practice.get_absolute_url()}">Bank red flags</a>',
        f'<a href="{organisation.get_absolute_url()}">Coastal Bank</a>',
        "<dd>120</dd>",
        "Americas",
    ):
        assert fragment in text, fragment


def test_unknown_meeting_is_not_found(client, db):
    assert client.get("/meetings/no-such-meeting/").status_code == 404


# Action points ------------------------------------------------------------------------


@pytest.fixture
def action_points(taxonomy):
    africa = MeetingFactory(published=True, slug="africa-regm", short_title="Africa")
    asia = MeetingFactory(published=True, slug="asia-regm", short_title="Asia")
    police, inspectors = taxonomy["law_enforcement"], taxonomy["labour_inspectors"]
    rows = [
        ("Ask banks for typologies.", police, taxonomy["financial"], africa),
        ("Train officers on hotlines.", police, None, asia),
        ("Inspect recruitment agencies.", inspectors, taxonomy["supply"], africa),
        (
            "Share inspection findings with banks.",
            inspectors,
            taxonomy["financial"],
            None,
        ),
    ]
    return {
        text: ActionPointFactory(
            published=True, text=text, audience=audience, sector=sector, meeting=meeting
        )
        for text, audience, sector, meeting in rows
    }


def listed_texts(response):
    return {point.text for point in response.context["object_list"]}


ASK, TRAIN, INSPECT, SHARE = "Ask banks", "Train officers", "Inspect", "Share"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {ASK, TRAIN, INSPECT, SHARE}),
        ("audience=law-enforcement", {ASK, TRAIN}),
        ("sector=financial", {ASK, SHARE}),
        ("meeting=africa-regm", {ASK, INSPECT}),
        ("q=banks", {ASK, SHARE}),
        ("meeting=africa-regm&meeting=asia-regm", {ASK, TRAIN, INSPECT}),
        ("sector=financial&sector=supply-chain", {ASK, INSPECT, SHARE}),
        ("audience=labour-inspectors&sector=financial", {SHARE}),
        ("q=banks&audience=law-enforcement", {ASK}),
        ("meeting=asia-regm&sector=financial", set()),
    ],
)
def test_action_point_filters(client, action_points, query, expected):
    response = client.get(f"{ACTION_POINTS_URL}?{query}")

    assert response.status_code == 200
    assert listed_texts(response) == {
        text for text in action_points if text.startswith(tuple(expected))
    }
    assert response.context["result_count"] == len(expected)


def test_action_point_facet_counts_equal_results_of_choosing_them(
    client, action_points
):
    query = "sector=financial&q=banks"
    response = client.get(f"{ACTION_POINTS_URL}?{query}")

    checked = 0
    for group in response.context["facet_groups"]:
        for option in group["options"]:
            chosen = QueryDict(query, mutable=True)
            chosen.setlist(group["param"], [option["value"]])
            filterset = ActionPointFilterSet(
                chosen, queryset=ActionPoint.objects.published()
            )
            assert option["count"] == filterset.qs.count(), option
            checked += 1
    assert checked >= 4


def test_action_point_chips_and_clear_all(client, action_points):
    response = client.get(
        f"{ACTION_POINTS_URL}?audience=law-enforcement&meeting=africa-regm"
    )

    chips = re.findall(r'<a class="chip" href="([^"]*)">', response.text)
    assert [html.unescape(href) for href in chips] == [
        "?meeting=africa-regm",
        "?audience=law-enforcement",
    ]
    assert '<a class="chip chip-clear" href="?">Clear all</a>' in response.text


def test_action_point_pages_keep_the_filters(client, taxonomy):
    ActionPointFactory.create_batch(
        ACTION_POINTS_PAGE + 2, published=True, audience=taxonomy["law_enforcement"]
    )

    first = client.get(f"{ACTION_POINTS_URL}?audience=law-enforcement&q=typologies")
    next_href = html.unescape(
        re.search(r'<a href="([^"]*)" rel="next">', first.text).group(1)
    )
    second = client.get(ACTION_POINTS_URL + next_href)

    assert QueryDict(next_href[1:]) == QueryDict(
        "audience=law-enforcement&q=typologies&page=2"
    )
    assert len(first.context["object_list"]) == ACTION_POINTS_PAGE
    assert len(second.context["object_list"]) == 2


@pytest.fixture
def audiences(db):
    """Two audiences whose editorial order is not their alphabetical one."""
    return (
        AudienceFactory(name="Prosecutors", slug="prosecutors", order=1),
        AudienceFactory(name="Bankers", slug="bankers", order=2),
    )


def listed_in_order(client, query=""):
    response = client.get(f"{ACTION_POINTS_URL}?{query}")
    assert response.status_code == 200
    return [point.text for point in response.context["object_list"]]


def test_action_points_are_listed_by_audience_then_by_their_order(client, audiences):
    prosecutors, bankers = audiences
    for audience, order, text in [
        (bankers, 0, "Report suspicious payments."),
        (prosecutors, 5, "Seize the proceeds."),
        (prosecutors, 1, "Train investigators."),
        (bankers, 0, "Flag typologies."),
        (prosecutors, 1, "Charge traffickers."),
    ]:
        ActionPointFactory(published=True, audience=audience, order=order, text=text)

    # Audience order, then the point's order, then the order they were added in.
    assert listed_in_order(client) == [
        "Train investigators.",
        "Charge traffickers.",
        "Seize the proceeds.",
        "Report suspicious payments.",
        "Flag typologies.",
    ]


def test_a_search_lists_action_points_by_relevance_first(client, audiences):
    prosecutors, bankers = audiences
    for audience, order, text, derived_note in [
        (prosecutors, 0, "Ask banks for help.", "Typologies of trafficking"),
        (bankers, 0, "Send typologies to banks.", ""),
        (prosecutors, 1, "Share typologies with banks.", ""),
        (prosecutors, 2, "Inspect farms.", ""),
    ]:
        ActionPointFactory(
            published=True,
            audience=audience,
            order=order,
            text=text,
            derived_note=derived_note,
        )

    # Both words in the text rank above one only in the note; equal ranks
    # keep the list's own order.
    assert listed_in_order(client, "q=typologies+banks") == [
        "Share typologies with banks.",
        "Send typologies to banks.",
        "Ask banks for help.",
    ]


def test_action_point_csv_equals_the_list_across_pages(client, read_csv, taxonomy):
    for n in range(ACTION_POINTS_PAGE + 5):
        ActionPointFactory(
            published=True,
            audience=taxonomy["labour_inspectors" if n % 2 else "law_enforcement"],
            order=(n * 7) % 11,
        )
    ActionPointFactory(published=True, audience=taxonomy["law_enforcement"], text="x")
    query = "q=typologies"

    listed = []
    for page in (1, 2):
        response = client.get(f"{ACTION_POINTS_URL}?{query}&page={page}")
        listed += [point.text for point in response.context["object_list"]]
    rows = read_csv(client.get(f"{ACTION_POINTS_CSV}?{query}"))

    assert len(listed) == ACTION_POINTS_PAGE + 5
    assert [row["action"] for row in rows] == listed


def test_action_point_csv_columns_and_name(client, read_csv, action_points):
    with time_machine.travel(datetime(2025, 1, 31, 9, tzinfo=UTC), tick=False):
        response = client.get(f"{ACTION_POINTS_CSV}?sector=financial")

    assert response["Content-Disposition"] == (
        'attachment; filename="action-points-2025-01-31.csv"'
    )
    rows = read_csv(response)
    assert list(rows[0]) == [
        "action",
        "audience",
        "sector",
        "meeting",
        "practices",
        "practice_titles",
        "note",
        "source_url",
    ]
    by_text = {row["action"]: row for row in rows}
    assert set(by_text) == {
        "Ask banks for typologies.",
        "Share inspection findings with banks.",
    }
    assert by_text["Ask banks for typologies."]["audience"] == "Law enforcement"
    assert by_text["Ask banks for typologies."]["sector"] == "Financial sector"
    assert by_text["Share inspection findings with banks."]["meeting"] == ""


def test_action_point_csv_cross_sector_and_formula_cells(client, read_csv, taxonomy):
    ActionPointFactory(
        published=True, text="=cmd|' /C calc'!A0", derived_note="@SUM(1)", sector=None
    )

    (row,) = read_csv(client.get(ACTION_POINTS_CSV))

    assert row["action"] == "'=cmd|' /C calc'!A0"
    assert row["note"] == "'@SUM(1)"
    assert row["sector"] == "Cross-sector"


def test_action_point_list_links_its_csv_with_the_query(
    client, read_csv, action_points
):
    response = client.get(f"{ACTION_POINTS_URL}?audience=labour-inspectors&page=1")

    href = html.unescape(
        re.search(
            r'href="([^"]*)" download>Download these 2 results as CSV', response.text
        ).group(1)
    )
    assert href == f"{ACTION_POINTS_CSV}?audience=labour-inspectors"
    assert len(read_csv(client.get(href))) == 2


# Organisations ------------------------------------------------------------------------


def test_organisation_list_counts_published_practices(client, taxonomy):
    bank = OrganisationFactory(
        name="Coastal Bank",
        type=OrganisationType.FINANCIAL_INSTITUTION,
        country=taxonomy["nigeria"],
    )
    ngo = OrganisationFactory(name="Helpline NGO", type=OrganisationType.NGO)
    PracticeFactory.create_batch(2, published=True, partners=[bank, ngo])
    PracticeFactory(partners=[bank])  # a draft: not counted

    response = client.get(reverse("practices:organisation_list"))

    assert response.status_code == 200
    text = response.text
    assert (
        f'<tr><td><a href="{bank.get_absolute_url()}">Coastal Bank</a></td>'
        "<td>Financial institution</td><td>Nigeria</td><td>2</td></tr>"
    ) in text
    assert f'<a href="{ngo.get_absolute_url()}">Helpline NGO</a>' in text
    assert "<strong>2</strong> organisations" in text


def test_organisation_list_filters_by_type(client, taxonomy):
    bank = OrganisationFactory(
        name="Coastal Bank", type=OrganisationType.FINANCIAL_INSTITUTION
    )
    ngo = OrganisationFactory(name="Helpline NGO", type=OrganisationType.NGO)
    PracticeFactory(published=True, partners=[bank, ngo])

    response = client.get(reverse("practices:organisation_list"), {"type": "ngo"})

    assert [o.name for o in response.context["organisations"]] == ["Helpline NGO"]
    assert 'name="type" value="ngo" id="f-type-ngo" checked' in response.text


def test_organisation_list_says_when_it_ignores_an_unknown_type(client, taxonomy):
    bank = OrganisationFactory(
        name="Coastal Bank", type=OrganisationType.FINANCIAL_INSTITUTION
    )
    PracticeFactory(published=True, partners=[bank])

    response = client.get(
        reverse("practices:organisation_list"), {"type": "<b>bank</b>\x00"}
    )

    assert response.status_code == 200
    assert [o.name for o in response.context["organisations"]] == ["Coastal Bank"]
    assert (
        "“&lt;b&gt;bank&lt;/b&gt;” is not a known type of organisation; "
        "it was ignored." in response.text
    )
    assert "\x00" not in response.text


def test_organisation_page_lists_its_published_practices_and_meetings(client, taxonomy):
    bank = OrganisationFactory(name="Coastal Bank", description="A regional bank.")
    lead = PracticeFactory(
        published=True,
        title="Bank red flags",
        partners=[(bank, PracticePartner.Role.LEAD)],
    )
    funded = PracticeFactory(
        published=True,
        title="Anti-fraud fund",
        partners=[(bank, PracticePartner.Role.FUNDER)],
    )
    meeting = MeetingFactory(published=True, title="Africa REGM")
    meeting.organisations.add(bank)

    response = client.get(bank.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    assert "<h1>Coastal Bank</h1>" in text
    assert "A regional bank." in text
    assert "Practices (2)" in text
    assert text.index(funded.title) < text.index(lead.title)
    assert f'<a href="{lead.get_absolute_url()}">Bank red flags</a>' in text
    assert '<p class="meta">Lead ·' in text
    assert '<p class="meta">Funder ·' in text
    assert f'<a href="{meeting.get_absolute_url()}">Africa REGM</a>' in text


def test_organisation_named_by_nothing_is_not_found(client, db):
    organisation = OrganisationFactory()

    assert client.get(organisation.get_absolute_url()).status_code == 404
