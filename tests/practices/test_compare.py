"""Compare: two to four published practices side by side, named by ``p=<slug>``."""

import re

import pytest
from django.urls import reverse

from core.models import Status
from practices.models import OrganisationType
from tests.factories import (
    ActionPointFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    PracticeSourceFactory,
)

pytestmark = pytest.mark.django_db

COMPARE_URL = reverse("practices:compare")
UNKNOWN = "No published practice has the address “{}”; it was left out."
TOO_FEW = "Choose 2 to 4 practices to compare"


@pytest.fixture
def four(taxonomy):
    t = taxonomy
    bank = OrganisationFactory(
        name="Coastal Bank", type=OrganisationType.FINANCIAL_INSTITUTION
    )
    fiu = OrganisationFactory(
        name="National FIU", type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
    )
    made = [
        PracticeFactory(
            published=True,
            slug=f"p{n}",
            title=f"Practice number {n}",
            sectors=[t["financial"] if n % 2 else t["technology"]],
            stages=[t["recruitment"]],
            audiences=[t["law_enforcement"]],
            countries=[t["canada"]],
            partners=[(bank, "lead"), fiu] if n == 1 else [],
            outcomes=f"Outcome of practice {n}.",
            start_year=2010 + n,
        )
        for n in range(1, 5)
    ]
    PracticeSourceFactory(practice=made[0], title="FIU annual report 2019")
    LessonLearnedFactory(published=True, practice=made[0], text="Start small.")
    LessonLearnedFactory(
        status=Status.DRAFT, practice=made[0], text="Zanzibarite lesson."
    )
    meeting = MeetingFactory(published=True, short_title="REGM Africa")
    meeting.practices.add(made[0])
    ActionPointFactory(published=True, meeting=meeting)
    ActionPointFactory(published=True, meeting=meeting)
    ActionPointFactory(status=Status.DRAFT, meeting=meeting, text="Zanzibarite.")
    return made


def columns(response):
    return [p.title for p in response.context["practices"]]


def test_two_practices_side_by_side(client, four):
    response = client.get(COMPARE_URL, {"p": ["p2", "p1"]})

    assert response.status_code == 200
    assert columns(response) == ["Practice number 2", "Practice number 1"]
    assert response.context["compare_messages"] == []
    html = response.text
    assert "<caption>2 practices side by side" in html
    assert len(re.findall(r'<th scope="col">', html)) == 2
    for row in (
        "Sectors",
        "Kind of partnership",
        "Partners by type and role",
        "Countries",
        "Regions",
        "Trafficking stages",
        "Useful for",
        "Years",
        "Outcomes",
        "Lessons learned",
        "Action points of the meetings that discussed it",
        "Sources",
    ):
        assert f'<th scope="row">{row}</th>' in html
    assert "<strong>Financial institution:</strong>" in html
    assert "Coastal Bank</a> (lead)" in html
    assert "National FIU</a> (partner)" in html
    assert "FIU annual report 2019" in html
    assert "Start small." in html
    assert "2 action points of REGM Africa" in html
    assert "Outcome of practice 2." in html
    assert "2012 – ongoing" in html


def test_four_practices_side_by_side(client, four, django_assert_max_num_queries):
    # Guards against N+1: a fixed number of queries per practice compared.
    with django_assert_max_num_queries(30):
        response = client.get(COMPARE_URL, {"p": ["p1", "p2", "p3", "p4"]})

    assert columns(response) == [f"Practice number {n}" for n in range(1, 5)]
    assert "<caption>4 practices side by side" in response.text


def test_more_than_four_keeps_the_first_four_and_says_so(client, four):
    extra = PracticeFactory(published=True, slug="p5")

    response = client.get(COMPARE_URL, {"p": ["p1", "p2", "p3", "p4", extra.slug]})

    assert len(columns(response)) == 4
    assert response.context["compare_messages"] == [
        "At most 4 practices can be compared at once: the first 4 are shown."
    ]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
def test_a_draft_is_reported_exactly_like_an_unknown_slug(client, four, status):
    PracticeFactory(status=status, slug="hidden-one", title="Zanzibarite pilot")

    hidden = client.get(COMPARE_URL, {"p": ["p1", "p2", "hidden-one"]})
    unknown = client.get(COMPARE_URL, {"p": ["p1", "p2", "no-such-one"]})

    assert (
        columns(hidden)
        == columns(unknown)
        == ["Practice number 1", "Practice number 2"]
    )
    assert hidden.context["compare_messages"] == [UNKNOWN.format("hidden-one")]
    assert unknown.context["compare_messages"] == [UNKNOWN.format("no-such-one")]
    assert "Zanzibarite" not in hidden.text


def test_staff_get_no_draft_either(client, four, editor):
    PracticeFactory(status=Status.DRAFT, slug="hidden-one", title="Zanzibarite pilot")
    client.force_login(editor)

    response = client.get(COMPARE_URL, {"p": ["p1", "hidden-one"]})

    assert "Zanzibarite" not in response.text
    assert response.context["practices"] == []


@pytest.mark.parametrize(
    "query",
    [{}, {"p": "p1"}, {"p": ["p1", "p1"]}, {"p": ["nope", "p1"]}, {"p": "\x00"}],
    ids=["none", "one", "one-twice", "one-unknown", "nul"],
)
def test_fewer_than_two_gets_a_clear_message_and_no_table(client, four, query):
    response = client.get(COMPARE_URL, query)

    assert response.status_code == 200
    assert response.context["practices"] == []
    assert any(TOO_FEW in m for m in response.context["compare_messages"])
    assert "<table" not in response.text


def test_hostile_slugs_are_escaped(client, four):
    response = client.get(COMPARE_URL, {"p": ["p1", "<script>x</script>"]})

    assert response.status_code == 200
    assert "<script>x</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_list_cards_carry_a_compare_checkbox_of_a_get_form(client, four):
    response = client.get(reverse("practices:list"))

    html = response.text
    assert re.search(
        r'<form id="compare-form"[^>]*action="/practices/compare/" method="get">', html
    )
    for practice in four:
        assert (
            f'<input type="checkbox" name="p" value="{practice.slug}" '
            f'id="compare-{practice.slug}" form="compare-form">'
        ) in html
        assert f'<label for="compare-{practice.slug}">Compare' in html
