"""The site-wide pages: home, about and the search over every kind of content."""

import pytest
from django.urls import reverse

from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db


def test_home_counts_published_practices_per_sector(client, taxonomy):
    PracticeFactory.create_batch(2, published=True, sectors=[taxonomy["financial"]])
    PracticeFactory(
        published=True, sectors=[taxonomy["financial"], taxonomy["technology"]]
    )
    ActionPointFactory.create_batch(3, published=True)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    counts = {
        sector.slug: sector.practice_count for sector in response.context["sectors"]
    }
    assert counts == {"supply-chain": 0, "financial": 3, "technology": 1}
    assert response.context["provenance_counts"]["total"] == 3
    assert response.context["action_point_count"] == 3
    assert '<a href="/practices/?sector=financial">3 practices</a>' in (response.text)
    assert '<a href="/practices/?sector=technology">1 practice</a>' in response.text


def test_home_lists_recently_published_practices(client, taxonomy):
    practices = PracticeFactory.create_batch(
        3, published=True, sectors=[taxonomy["supply"]]
    )

    response = client.get(reverse("home"))

    for practice in practices:
        assert practice.title in response.text
        assert f'href="{practice.get_absolute_url()}"' in response.text


def test_about_page_lists_published_meetings(client, taxonomy):
    meeting = MeetingFactory(published=True, title="Africa Regional Expert Group")

    response = client.get(reverse("about"))

    assert response.status_code == 200
    assert "About the Compendium" in response.text
    assert f'<a href="{meeting.get_absolute_url()}">{meeting.title}</a>' in (
        response.text
    )


def _group_titles(response):
    return {
        group["key"]: [str(item) for item in group["results"]]
        for group in response.context["groups"]
        if group["results"]
    }


def test_site_search_groups_results_by_kind(client, taxonomy):
    practice = PracticeFactory(published=True, title="Mangrove fisheries compact")
    point = ActionPointFactory(
        published=True, text="Map the mangrove fisheries supply chain."
    )
    meeting = MeetingFactory(published=True, title="Mangrove meeting on fisheries")
    insight = InsightFactory(
        meeting=MeetingFactory(published=True),
        text="Mangrove fisheries rely on migrant crews.",
    )
    organisation = OrganisationFactory(name="Mangrove Fisheries Council")
    # Found through its partner's name, so it ranks below the title match.
    partnered = PracticeFactory(published=True, partners=[organisation])
    PracticeFactory(published=True, title="Unrelated garment audit")

    response = client.get(reverse("search"), {"q": "mangrove fisheries"})

    assert response.status_code == 200
    assert _group_titles(response) == {
        "practices": [practice.title, partnered.title],
        "action_points": [str(point)],
        "insights": [str(insight)],
        "meetings": [str(meeting)],
        "organisations": [organisation.name],
    }
    for heading in (
        "Practices (2)",
        "Action points (1)",
        "Meeting insights (1)",
        "Meetings (1)",
        "Organisations (1)",
    ):
        assert heading in response.text
    assert "Unrelated garment audit" not in response.text


def test_site_search_says_when_nothing_matches(client, taxonomy):
    PracticeFactory(published=True)

    response = client.get(reverse("search"), {"q": "zeppelin"})

    assert response.status_code == 200
    assert response.context["total"] == 0
    assert "Nothing matches “zeppelin”" in response.text
    assert 'href="/practices/"' in response.text


def test_site_search_without_query_shows_only_the_form(client, taxonomy):
    PracticeFactory(published=True)

    response = client.get(reverse("search"))

    assert response.status_code == 200
    assert response.context["groups"] == []
    assert 'name="q"' in response.text


@pytest.mark.parametrize(("matching", "has_more"), [(10, False), (11, True)])
def test_site_search_links_to_every_matching_practice_only_beyond_10(
    client, taxonomy, matching, has_more
):
    PracticeFactory.create_batch(matching, published=True, title="Cobalt traceability")

    response = client.get(reverse("search"), {"q": "cobalt"})

    practices = response.context["groups"][0]
    assert practices["key"] == "practices"
    assert len(practices["results"]) == 10
    assert practices["has_more"] is has_more
    link = '<a href="/practices/?q=cobalt">See every matching practice</a>'
    assert (link in response.text) is has_more
    heading = "Practices (top 10)" if has_more else "Practices (10)"
    assert heading in response.text
