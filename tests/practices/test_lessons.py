"""Lessons learned for the public: linked to the practice they come from, shown on
that practice's page, found by the site search, listed across sectors too."""

import pytest
from django.urls import reverse

from core.models import Status
from tests.factories import LessonLearnedFactory, PracticeFactory

pytestmark = pytest.mark.django_db

LESSONS_URL = reverse("practices:lesson_list")


@pytest.fixture
def lessons(taxonomy):
    practice = PracticeFactory(published=True, title="Hotline network")
    linked = LessonLearnedFactory(
        published=True,
        practice=practice,
        text="Crime across borders needs linked hotlines.",
    )
    across = LessonLearnedFactory(
        published=True, text="Bring the right stakeholders to the table."
    )
    financial = LessonLearnedFactory(
        published=True, sector=taxonomy["financial"], text="Start with a few banks."
    )
    LessonLearnedFactory(practice=practice, text="An unreleased lesson.")
    return {
        "practice": practice,
        "linked": linked,
        "across": across,
        "financial": financial,
    }


def test_practice_page_shows_lessons_learned_from_this_practice(client, lessons):
    response = client.get(lessons["practice"].get_absolute_url())

    assert '<h2 id="lessons-heading">Lessons learned from this practice</h2>' in (
        response.text
    )
    assert "Crime across borders needs linked hotlines." in response.text
    assert "An unreleased lesson." not in response.text


def test_practice_without_published_lessons_has_no_lessons_section(client, taxonomy):
    practice = PracticeFactory(published=True)
    LessonLearnedFactory(status=Status.REVIEW, practice=practice)

    response = client.get(practice.get_absolute_url())

    assert "Lessons learned from this practice" not in response.text


def test_lesson_rows_link_to_their_practice(client, lessons):
    response = client.get(LESSONS_URL)

    practice = lessons["practice"]
    assert (
        f'From the practice <a href="{practice.get_absolute_url()}">Hotline network</a>'
        in response.text
    )


def test_across_sectors_is_a_sector_option_that_lists_lessons_without_one(
    client, lessons
):
    response = client.get(LESSONS_URL)
    (sector,) = [g for g in response.context["facet_groups"] if g["param"] == "sector"]
    assert [(o["label"], o["value"], o["count"]) for o in sector["options"]] == [
        ("Financial sector", "financial", 1),
        ("Across sectors", "none", 2),
    ]

    across = client.get(LESSONS_URL, {"sector": "none"})

    assert {lesson.text for lesson in across.context["object_list"]} == {
        "Crime across borders needs linked hotlines.",
        "Bring the right stakeholders to the table.",
    }
    assert "Sector: Across sectors" in across.text


def test_site_search_has_a_lessons_learned_group(client, lessons):
    response = client.get(reverse("search"), {"q": "hotlines"})

    groups = {group["key"]: group for group in response.context["groups"]}
    assert groups["lessons"]["label"] == "Lessons learned"
    assert [lesson.pk for lesson in groups["lessons"]["results"]] == [
        lessons["linked"].pk
    ]
    assert lessons["linked"].get_absolute_url() in response.text


def test_site_search_finds_no_lesson_of_a_draft_practice(client, taxonomy):
    hidden = PracticeFactory(status=Status.DRAFT)
    LessonLearnedFactory(published=True, practice=hidden, text="Hotlines secretly.")

    response = client.get(reverse("search"), {"q": "hotlines"})

    assert response.context["total"] == 0
