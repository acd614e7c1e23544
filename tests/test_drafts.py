"""Nothing unpublished reaches the public: not a title, not a count, not a name.

Every unpublished item below carries the word "Zanzibarite" (capitalised) and nothing
published does. Searches use the lower-case word, so a page that only repeats the query
back is not mistaken for a leak.
"""

import pytest
from django.urls import reverse

from core.models import Status
from practices.models import OrganisationType
from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Zanzibarite"
HIDDEN = [Status.DRAFT, Status.REVIEW, Status.ARCHIVED]


@pytest.fixture
def content(taxonomy):
    """Published content, and the same kinds of content in each unpublished state."""
    t = taxonomy
    shared_org = OrganisationFactory(name="Coastal Bank")
    visible = PracticeFactory(
        published=True,
        title="Bank red flags",
        summary="Banks share red flags.",
        sectors=[t["financial"]],
        tags=["banks"],
        kind=t["fi_partnership"],
        partners=[shared_org],
    )
    visible_meeting = MeetingFactory(published=True, slug="africa-regm")
    visible_meeting.practices.add(visible)
    ActionPointFactory(
        published=True, text="Ask banks for typologies.", sector=t["financial"]
    )
    hidden = {"practices": [], "meetings": [], "organisations": []}
    for status in HIDDEN:
        hidden_org = OrganisationFactory(
            name=f"{SECRET} Holdings {status}", type=OrganisationType.ACADEMIA
        )
        meeting_org = OrganisationFactory(name=f"{SECRET} Chamber {status}")
        practice = PracticeFactory(
            status=status,
            title=f"{SECRET} payments pilot ({status})",
            summary=f"{SECRET} summary about banks.",
            sectors=[t["financial"], t["technology"]],
            countries=[t["canada"]],
            stages=[t["recruitment"]],
            audiences=[t["labour_inspectors"]],
            kind=t["tool"],
            tags=["banks", f"{SECRET} secret"],
            partners=[shared_org, hidden_org],
            start_year=2009,
        )
        practice.sync_regions()
        visible_meeting.practices.add(practice)
        meeting = MeetingFactory(
            status=status,
            slug=f"hidden-{status}",
            title=f"{SECRET} meeting ({status})",
            short_title=f"{SECRET} REGM ({status})",
        )
        meeting.practices.add(visible)
        meeting.organisations.add(meeting_org)
        InsightFactory(
            meeting=meeting, text=f"{SECRET} insight.", sector=t["financial"]
        )
        ActionPointFactory(
            status=status,
            text=f"{SECRET} action for banks ({status}).",
            sector=t["financial"],
            meeting=visible_meeting,
        )
        ActionPointFactory(
            published=True,
            text=f"{SECRET} point of a hidden meeting, about banks ({status}).",
            sector=t["financial"],
            meeting=meeting,
        )
        LessonLearnedFactory(
            status=status, text=f"{SECRET} lesson.", sector=t["financial"]
        )
        LessonLearnedFactory(
            published=True,
            text=f"{SECRET} lesson of a hidden practice.",
            practice=practice,
        )
        hidden["practices"].append(practice)
        hidden["meetings"].append(meeting)
        hidden["organisations"] += [hidden_org, meeting_org]
    return {
        "visible": visible,
        "visible_meeting": visible_meeting,
        "shared_org": shared_org,
        **hidden,
    }


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.text


PUBLIC_PAGES = [
    reverse("home"),
    reverse("about"),
    reverse("practices:list"),
    reverse("practices:list") + "?sector=technology&sort=oldest",
    reverse("practices:list") + "?q=banks",
    reverse("practices:list") + "?q=zanzibarite",
    reverse("practices:list") + "?tag=zanzibarite-secret",
    reverse("practices:export"),
    reverse("practices:export") + "?q=banks",
    reverse("practices:sector", args=["financial"]),
    reverse("practices:sector", args=["technology"]),
    reverse("search") + "?q=zanzibarite",
    reverse("search") + "?q=banks",
    reverse("partnerships:meeting_list"),
    reverse("partnerships:meeting_detail", args=["africa-regm"]),
    reverse("partnerships:action_point_list"),
    reverse("partnerships:action_point_list") + "?q=banks",
    reverse("partnerships:action_point_list") + "?sector=financial",
    reverse("partnerships:action_point_export"),
    reverse("partnerships:action_point_export") + "?q=banks",
    reverse("practices:organisation_list"),
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_no_public_page_shows_unpublished_content(client, content, url):
    response = client.get(url)

    assert response.status_code == 200
    assert SECRET not in body(response)


def test_practice_and_organisation_pages_show_no_unpublished_content(client, content):
    for obj in (content["visible"], content["shared_org"]):
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert SECRET not in response.text


@pytest.mark.parametrize("kind", ["practices", "meetings", "organisations"])
def test_unpublished_pages_are_not_found(client, content, kind):
    for obj in content[kind]:
        assert client.get(obj.get_absolute_url()).status_code == 404, obj


def test_counts_leave_out_unpublished_content(client, content):
    home = client.get(reverse("home"))
    sectors = {sector.slug: sector.practice_count for sector in home.context["sectors"]}
    assert sectors == {"supply-chain": 0, "financial": 1, "technology": 0}
    assert home.context["practice_count"] == 1
    assert home.context["meeting_count"] == 1
    assert home.context["action_point_count"] == 1

    financial = client.get(reverse("practices:sector", args=["financial"]))
    assert financial.context["practice_count"] == 1
    assert [point.text for point in financial.context["action_points"]] == [
        "Ask banks for typologies."
    ]
    assert list(financial.context["insights"]) == []
    assert list(financial.context["lessons"]) == []
    technology = client.get(reverse("practices:sector", args=["technology"]))
    assert technology.context["practice_count"] == 0
    assert "No published practices yet." in technology.text

    meetings = client.get(reverse("partnerships:meeting_list"))
    (meeting,) = meetings.context["meetings"]
    assert (meeting.insight_count, meeting.action_point_count) == (0, 0)
    assert meeting.slug == "africa-regm"

    organisations = client.get(reverse("practices:organisation_list"))
    assert [
        (o.name, o.practice_count) for o in organisations.context["organisations"]
    ] == [("Coastal Bank", 1)]


def test_facet_counts_leave_out_unpublished_practices(client, content):
    response = client.get(reverse("practices:list"))

    options = {
        group["param"]: {
            option["value"]: option["count"] for option in group["options"]
        }
        for group in response.context["facet_groups"]
    }
    assert options == {
        "sector": {"financial": 1},
        "region": {},
        "country": {},
        "partner_type": {"ngo": 1},
        "audience": {},
        "stage": {},
        "kind": {"financial-intelligence-partnership": 1},
        "tag": {"banks": 1},
        "year_from": {"2010": 1},
    }


def test_searches_find_nothing_unpublished(client, content):
    practices = client.get(reverse("practices:list"), {"q": "zanzibarite"})
    assert practices.context["result_count"] == 0

    everything = client.get(reverse("search"), {"q": "zanzibarite"})
    assert everything.context["total"] == 0

    banks = client.get(reverse("search"), {"q": "banks"})
    found = {
        group["key"]: [str(item) for item in group["results"]]
        for group in banks.context["groups"]
    }
    assert found["practices"] == ["Bank red flags"]
    assert found["action_points"] == ["Ask banks for typologies."]

    points = client.get(reverse("partnerships:action_point_list"), {"q": "banks"})
    assert [p.text for p in points.context["object_list"]] == [
        "Ask banks for typologies."
    ]


def test_related_practices_leave_out_unpublished_ones(client, content):
    response = client.get(content["visible"].get_absolute_url())

    assert list(response.context["related_practices"]) == []
    assert [m.slug for m in response.context["meetings"]] == ["africa-regm"]
    assert SECRET not in response.text


def test_an_unpublished_meeting_is_not_a_filter_option(client, content):
    slugs = [meeting.slug for meeting in content["meetings"]]
    response = client.get(reverse("partnerships:action_point_list"), {"meeting": slugs})

    meetings = [
        option["value"]
        for group in response.context["facet_groups"]
        if group["param"] == "meeting"
        for option in group["options"]
    ]
    assert meetings == []
    for slug in slugs:
        assert f"“{slug}” is not a known meeting; it was ignored." in response.text
    assert response.context["result_count"] == 1


def test_the_csv_exports_only_published_rows(client, content):
    practices = body(client.get(reverse("practices:export")))
    points = body(client.get(reverse("partnerships:action_point_export")))

    assert practices.count("\n") == 2
    assert "Bank red flags" in practices
    assert points.count("\n") == 2
    assert "Ask banks for typologies." in points
