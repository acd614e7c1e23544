"""The practice list, a practice's page and a sector's page, as a visitor sees them."""

import html
import re

import pytest
from django.http import QueryDict
from django.urls import reverse

from core.listing.views import PAGE_SIZE
from practices.models import OrganisationType, PracticePartner
from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    PracticeSourceFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:list")


def hrefs(response, css_class):
    """``{link text: href}`` of the links with ``css_class``, HTML entities decoded."""
    found = {}
    pattern = rf'<a class="{css_class}" href="([^"]*)"[^>]*>(.*?)</a>'
    for href, inner in re.findall(pattern, response.text, flags=re.S):
        text = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(inner)).split())
        found[text] = html.unescape(href)
    return found


def listed_titles(response):
    return [practice.title for practice in response.context["object_list"]]


def test_list_shows_published_practices_with_their_facts(client, taxonomy):
    practice = PracticeFactory(
        published=True,
        title="Bank red flags",
        summary="Banks flag suspicious payments for the FIU.",
        sectors=[taxonomy["financial"]],
        countries=[taxonomy["nigeria"]],
        kind=taxonomy["fi_partnership"],
        start_year=2016,
    )

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert f'<a href="{practice.get_absolute_url()}">Bank red flags</a>' in (
        response.text
    )
    for fact in (
        "Banks flag suspicious payments for the FIU.",
        "Financial sector",
        "Financial-intelligence partnership",
        "2016 – ongoing",
        "Nigeria",
    ):
        assert fact in response.text
    assert "<strong>1</strong> practice" in response.text


def test_result_count_names_the_search_and_counts_every_page(client, taxonomy):
    PracticeFactory.create_batch(
        PAGE_SIZE + 3, published=True, title="Cocoa traceability"
    )
    PracticeFactory(published=True, title="Garment audit")

    response = client.get(LIST_URL, {"q": "cocoa"})

    assert response.context["result_count"] == PAGE_SIZE + 3
    assert len(response.context["object_list"]) == PAGE_SIZE
    assert (
        f"<strong>{PAGE_SIZE + 3}</strong> practices matching “cocoa”" in response.text
    )


def test_chips_remove_one_value_each_and_clear_all_resets(client, taxonomy):
    PracticeFactory(
        published=True, sectors=[taxonomy["financial"]], kind=taxonomy["tool"]
    )

    response = client.get(
        LIST_URL + "?sector=financial&sector=technology&kind=technology-tool&page=1"
    )

    chips = hrefs(response, "chip")
    assert chips == {
        "Remove filter Sector: Financial sector ×": (
            "?sector=technology&kind=technology-tool"
        ),
        "Remove filter Sector: Technology sector ×": (
            "?sector=financial&kind=technology-tool"
        ),
        "Remove filter Kind of partnership: Technology tool ×": (
            "?sector=financial&sector=technology"
        ),
    }
    assert hrefs(response, "chip chip-clear") == {"Clear all": "?"}


def test_chips_keep_the_search_and_the_sort(client, taxonomy):
    PracticeFactory(published=True, title="Bank hotline", stages=[])

    response = client.get(LIST_URL + "?q=bank&stage=recruitment&sort=newest")

    assert hrefs(response, "chip") == {
        "Remove filter Trafficking stage: Recruitment ×": "?q=bank&sort=newest",
        "Remove filter Search: bank ×": "?stage=recruitment&sort=newest",
    }


def test_no_chips_without_filters(client, taxonomy):
    PracticeFactory(published=True)

    response = client.get(LIST_URL)

    assert response.context["chips"] == []
    assert "Clear all" not in response.text


def _make_years(taxonomy):
    for title, year in [
        ("Beta", 2019),
        ("alpha", 2012),
        ("Delta", None),
        ("Charlie", 2021),
        ("Echo", None),
        ("Foxtrot", 2012),
    ]:
        PracticeFactory(published=True, title=title, start_year=year)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["alpha", "Beta", "Charlie", "Delta", "Echo", "Foxtrot"]),
        # Unknown start years come last, whichever way the years run.
        ("newest", ["Charlie", "Beta", "alpha", "Foxtrot", "Delta", "Echo"]),
        ("oldest", ["alpha", "Foxtrot", "Beta", "Charlie", "Delta", "Echo"]),
        # Relevance needs a search: without one the list falls back to title order.
        ("relevance", ["alpha", "Beta", "Charlie", "Delta", "Echo", "Foxtrot"]),
        (None, ["alpha", "Beta", "Charlie", "Delta", "Echo", "Foxtrot"]),
    ],
)
def test_sort_orders(client, taxonomy, sort, expected):
    _make_years(taxonomy)

    response = client.get(LIST_URL, {"sort": sort} if sort else {})

    assert listed_titles(response) == expected


@pytest.mark.parametrize("sort", [None, "relevance"])
def test_relevance_puts_title_matches_first_when_there_is_a_search(
    client, taxonomy, sort
):
    PracticeFactory(
        published=True,
        title="A mention in the description",
        description="Workers report abuse through a hotline.",
    )
    PracticeFactory(published=True, title="Worker hotline", description="")

    response = client.get(
        LIST_URL, {"q": "hotline", **({"sort": sort} if sort else {})}
    )

    assert listed_titles(response) == [
        "Worker hotline",
        "A mention in the description",
    ]
    assert '<option value="relevance" selected>' in response.text


def test_sort_can_override_relevance_during_a_search(client, taxonomy):
    PracticeFactory(published=True, title="Zeta hotline", start_year=2010)
    PracticeFactory(
        published=True, title="Alpha", description="A hotline.", start_year=2020
    )

    response = client.get(LIST_URL, {"q": "hotline", "sort": "newest"})

    assert listed_titles(response) == ["Alpha", "Zeta hotline"]


def test_sort_form_keeps_the_other_parameters(client, taxonomy):
    PracticeFactory(published=True, sectors=[taxonomy["financial"]], title="Bank")

    response = client.get(LIST_URL + "?q=bank&sector=financial&page=1&sort=title")

    form = re.search(
        r'<form class="sort-form".*?</form>', response.text, flags=re.S
    ).group(0)
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form)
    assert hidden == [("q", "bank"), ("sector", "financial")]


def test_pagination_keeps_every_other_parameter(client, taxonomy):
    cocoa = PracticeFactory.create_batch(
        PAGE_SIZE + 5,
        published=True,
        title="Cocoa",
        sectors=[taxonomy["supply"]],
        start_year=2018,
    )
    PracticeFactory(published=True, title="Elsewhere", sectors=[taxonomy["financial"]])
    query = "q=cocoa&sector=supply-chain&sort=newest"

    first = client.get(f"{LIST_URL}?{query}")

    next_href = html.unescape(
        re.search(r'<a href="([^"]*)" rel="next">', first.text).group(1)
    )
    assert QueryDict(next_href.lstrip("?")) == QueryDict(f"{query}&page=2")
    second = client.get(LIST_URL + next_href)
    assert second.status_code == 200
    assert len(second.context["object_list"]) == 5
    assert re.search(
        r'aria-current="page"><span class="visually-hidden">Page </span>2'
        r'<span class="visually-hidden"> of 2</span>',
        second.text,
    )
    previous = html.unescape(
        re.search(r'<a href="([^"]*)" rel="prev">', second.text).group(1)
    )
    assert QueryDict(previous.lstrip("?")) == QueryDict(f"{query}&page=1")
    shown = [p.pk for p in first.context["object_list"]] + [
        p.pk for p in second.context["object_list"]
    ]
    assert sorted(shown) == sorted(p.pk for p in cocoa)


def test_changing_a_filter_goes_back_to_the_first_page(client, taxonomy):
    PracticeFactory.create_batch(PAGE_SIZE + 1, published=True, kind=taxonomy["tool"])

    response = client.get(LIST_URL + "?kind=technology-tool&page=2")

    assert hrefs(response, "chip") == {
        "Remove filter Kind of partnership: Technology tool ×": "?"
    }
    search_form = re.search(
        r'<form class="list-search".*?</form>', response.text, flags=re.S
    ).group(0)
    assert 'name="page"' not in search_form


def tag_options(response):
    """The tag values the page offers, in its order."""
    fieldset = re.search(
        r'<fieldset class="facet" id="facet-tag">.*?</fieldset>', response.text, re.S
    ).group(0)
    return re.findall(r'name="tag" value="([^"]+)"', fieldset)


def test_a_long_tag_facet_shows_its_top_10_and_a_link_to_all(client, taxonomy):
    tags = [f"tag {n:02d}" for n in range(13)]
    for n in range(13):
        PracticeFactory(published=True, tags=tags[: n + 1])  # tag k on 13 - k

    cut = client.get(LIST_URL)
    whole = client.get(LIST_URL, {"more": "tag"})

    assert tag_options(cut) == [f"tag-{n:02d}" for n in range(10)]
    assert '<a href="?more=tag#facet-tag">Show all 13 tag options</a>' in cut.text
    assert tag_options(whole) == [f"tag-{n:02d}" for n in range(13)]
    assert '<a href="?#facet-tag">Show the top 10 only</a>' in whole.text
    # Applying the filters of the sidebar keeps the whole list of tags open.
    sidebar = re.search(r'<form class="facets".*?</form>', whole.text, re.S).group(0)
    assert '<input type="hidden" name="more" value="tag">' in sidebar


def test_practice_page_shows_everything_about_it(client, taxonomy):
    fiu = OrganisationFactory(
        name="Nigerian FIU", type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
    )
    practice = PracticeFactory(
        published=True,
        title="Bank red flags",
        summary="Banks share red flags.",
        description="First paragraph.\n\nSecond paragraph.",
        outcomes="More reports.",
        sectors=[taxonomy["financial"]],
        countries=[taxonomy["nigeria"]],
        stages=[taxonomy["financial_flows"]],
        audiences=[taxonomy["law_enforcement"]],
        kind=taxonomy["fi_partnership"],
        tags=["red flags"],
        partners=[(fiu, PracticePartner.Role.LEAD)],
        start_year=2016,
        end_year=2019,
    )
    practice.sync_regions()
    PracticeSourceFactory(
        practice=practice, title="FIU annual report", url="https://example.org/fiu"
    )
    LessonLearnedFactory(published=True, practice=practice, text="Start small.")

    response = client.get(practice.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    assert "<h1>Bank red flags</h1>" in text
    for fragment in (
        "Banks share red flags.",
        "<p>First paragraph.</p>",
        "<p>Second paragraph.</p>",
        "More reports.",
        "2016 – 2019",
        "Start small.",
        '<a href="https://example.org/fiu" rel="noopener external">'
        "FIU annual report</a>",
        f'<a href="{fiu.get_absolute_url()}">Nigerian FIU</a>',
        "<td>Financial intelligence unit</td><td>Lead</td>",
        '<a href="/practices/?sector=financial">Financial sector</a>',
        '<a href="/practices/?country=NG">Nigeria</a>',
        '<a href="/practices/?region=africa">Africa</a>',
        '<a href="/practices/?stage=financial-flows">Financial flows</a>',
        '<a href="/practices/?audience=law-enforcement">Law enforcement</a>',
        '<a class="tag" href="/practices/?tag=red-flags">red flags</a>',
        '<a href="/practices/?kind=financial-intelligence-partnership">',
    ):
        assert fragment in text, fragment


def test_practice_page_never_shows_a_draft_lesson(client, taxonomy):
    practice = PracticeFactory(published=True)
    LessonLearnedFactory(published=True, practice=practice, text="Start small.")
    LessonLearnedFactory(practice=practice, text="An unreleased lesson.")

    response = client.get(practice.get_absolute_url())

    assert "Start small." in response.text
    assert "An unreleased lesson." not in response.text


def test_practice_page_suggests_related_practices_by_shared_terms(client, taxonomy):
    practice = PracticeFactory(
        published=True,
        sectors=[taxonomy["financial"]],
        stages=[taxonomy["financial_flows"]],
    )
    closest = PracticeFactory(
        published=True,
        title="Closest",
        sectors=[taxonomy["financial"]],
        stages=[taxonomy["financial_flows"]],
    )
    close = PracticeFactory(
        published=True, title="Close", sectors=[taxonomy["financial"]]
    )
    PracticeFactory(published=True, title="Unrelated", sectors=[taxonomy["supply"]])

    response = client.get(practice.get_absolute_url())

    assert [p.title for p in response.context["related_practices"]] == [
        closest.title,
        close.title,
    ]
    assert "Unrelated" not in response.text


def test_unknown_practice_is_not_found(client, taxonomy):
    response = client.get(reverse("practices:detail", args=["no-such-practice"]))

    assert response.status_code == 404
    assert 'href="/practices/"' in response.text


def test_sector_page_shows_its_practices_lessons_and_action_points(client, taxonomy):
    sector = taxonomy["financial"]
    inside = PracticeFactory.create_batch(
        2, published=True, sectors=[sector, taxonomy["technology"]]
    )
    PracticeFactory(published=True, title="Supply only", sectors=[taxonomy["supply"]])
    LessonLearnedFactory(published=True, sector=sector, text="Bring the regulator.")
    ActionPointFactory(
        published=True,
        sector=sector,
        audience=taxonomy["law_enforcement"],
        text="Ask banks for typologies.",
    )

    response = client.get(sector.get_absolute_url())

    assert response.status_code == 200
    assert response.context["practice_count"] == 2
    text = " ".join(response.text.split())
    assert "Practices (2)" in text
    for practice in inside:
        assert f'<a href="{practice.get_absolute_url()}">' in text
    assert "Supply only" not in text
    assert "Bring the regulator." in text
    assert "Ask banks for typologies." in text
    # All practices fit on the page: no "n of m shown".
    assert "practices shown" not in text
    assert 'href="/practices/?sector=financial">Browse and filter the 2' in text


def main_column(response):
    """The sector page's main column, without its short sidebar."""
    text = " ".join(response.text.split())
    return text.split('<div class="detail-main">')[1].split(
        '<aside class="detail-facts"'
    )[0]


def test_sector_page_groups_action_points_by_audience_in_the_main_column(
    client, taxonomy
):
    sector = taxonomy["supply"]
    inspectors, police = taxonomy["labour_inspectors"], taxonomy["law_enforcement"]
    police.order, inspectors.order = 1, 2
    police.save()
    inspectors.save()
    for n in range(3):
        ActionPointFactory(
            published=True, sector=sector, audience=inspectors, text=f"Inspect {n}."
        )
    ActionPointFactory(
        published=True, sector=sector, audience=police, text="Raid the site."
    )
    ActionPointFactory(sector=sector, audience=police, text="Draft raid.")
    ActionPointFactory(
        published=True,
        sector=taxonomy["financial"],
        audience=police,
        text="Freeze accounts.",
    )
    LessonLearnedFactory(published=True, sector=sector, text="Listen to workers.")

    response = client.get(sector.get_absolute_url())

    main = main_column(response)
    assert "Action points (4)" in main
    police_at = main.index('id="actions-law-enforcement"')
    inspectors_at = main.index('id="actions-labour-inspectors"')
    assert police_at < main.index("Raid the site.") < inspectors_at
    assert inspectors_at < main.index("Inspect 0.") < main.index("Inspect 2.")
    assert 'href="/for/law-enforcement/">law enforcement</a> (1)' in main
    assert 'href="/for/labour-inspectors/">labour inspectors</a> (3)' in main
    assert "Draft raid." not in response.text
    assert "Freeze accounts." not in response.text
    # Lessons are in the main flow too.
    assert "Lessons learned (1)" in main
    assert "Listen to workers." in main


def test_sector_page_says_how_many_of_its_practices_it_shows(client, taxonomy):
    sector = taxonomy["financial"]
    PracticeFactory.create_batch(13, published=True, sectors=[sector])
    PracticeFactory(sectors=[sector])  # a draft is not counted

    response = client.get(sector.get_absolute_url())

    text = " ".join(response.text.split())
    assert "Practices (13)" in text
    assert "12 of 13 practices shown." in text
    assert 'href="/practices/?sector=financial">See all 13 financial sector' in text
    assert text.count('<li class="card"><h3><a href="/practices/') == 12


def test_a_sector_without_meeting_insights_says_so(client, taxonomy):
    meeting = MeetingFactory(published=True)
    InsightFactory(meeting=meeting, sector=taxonomy["financial"], text="Banks help.")
    draft = MeetingFactory()
    InsightFactory(meeting=draft, sector=taxonomy["technology"], text="Hidden.")

    technology = client.get(taxonomy["technology"].get_absolute_url())
    financial = client.get(taxonomy["financial"].get_absolute_url())

    assert "Hidden." not in technology.text
    assert (
        "None of the published meetings has recorded an insight specific to the "
        "technology sector." in main_column(technology)
    )
    assert "Banks help." in main_column(financial)
    assert "None of the published meetings" not in financial.text


def test_unknown_sector_is_not_found(client, taxonomy):
    assert client.get("/sectors/no-such-sector/").status_code == 404
