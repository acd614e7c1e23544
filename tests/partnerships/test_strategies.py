"""Recommended strategies for the public: the list, its facets and search, its
exports and API answer, and the include other pages put them in."""

import io

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from core.models import Status
from partnerships.models import Strategy
from tests.factories import MeetingFactory, PracticeFactory, StrategyFactory

pytestmark = pytest.mark.django_db

STRATEGIES_URL = reverse("partnerships:strategy_list")
STRATEGIES_CSV = reverse("partnerships:strategy_export")
STRATEGIES_XLSX = reverse("partnerships:strategy_export_xlsx")
STRATEGIES_API = reverse("api:strategy_list")


@pytest.fixture
def strategies(taxonomy):
    consultation = MeetingFactory(
        published=True, slug="consultation-2020", short_title="Consultation 2020"
    )
    survivors = PracticeFactory(published=True, title="Survivor employment")
    hidden = PracticeFactory(status=Status.DRAFT, title="Unreleased employment")
    jobs = StrategyFactory(
        published=True,
        text="Open jobs in private companies to survivors.",
        meeting=consultation,
        source_url="https://example.org/consultation",
        order=1,
    )
    jobs.audiences.add(taxonomy["law_enforcement"])
    jobs.practices.add(survivors, hidden)
    red_flags = StrategyFactory(
        published=True,
        text="Let banks and police agree on red flags.",
        sector=taxonomy["financial"],
        order=2,
    )
    red_flags.audiences.add(taxonomy["law_enforcement"], taxonomy["labour_inspectors"])
    StrategyFactory(text="A draft strategy about banks.")
    return {"jobs": jobs, "red_flags": red_flags, "survivors": survivors}


def texts(response):
    return [strategy.text for strategy in response.context["object_list"]]


def test_list_shows_each_strategy_with_its_meeting_practices_and_source(
    client, strategies
):
    response = client.get(STRATEGIES_URL)

    assert response.status_code == 200
    assert texts(response) == [
        "Open jobs in private companies to survivors.",
        "Let banks and police agree on red flags.",
    ]
    page = response.text
    assert 'href="/meetings/consultation-2020/">Consultation 2020</a>' in page
    survivors = strategies["survivors"]
    assert f'<a href="{survivors.get_absolute_url()}">Survivor employment</a>' in page
    assert "Unreleased employment" not in page
    assert 'href="https://example.org/consultation"' in page
    assert "Across sectors · For Law enforcement" in page
    assert "A draft strategy" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"sector": "none"}, ["Open jobs in private companies to survivors."]),
        ({"sector": "financial"}, ["Let banks and police agree on red flags."]),
        ({"sector": ["financial", "none"]}, None),
        (
            {"audience": "labour-inspectors"},
            ["Let banks and police agree on red flags."],
        ),
        (
            {"meeting": "consultation-2020"},
            ["Open jobs in private companies to survivors."],
        ),
        ({"q": "banks"}, ["Let banks and police agree on red flags."]),
        ({"q": "banks", "sector": "none"}, []),
    ],
)
def test_filters_and_search_choose_the_strategies(client, strategies, query, expected):
    response = client.get(STRATEGIES_URL, query)

    everything = [
        "Open jobs in private companies to survivors.",
        "Let banks and police agree on red flags.",
    ]
    assert texts(response) == (everything if expected is None else expected)


def test_sector_facet_offers_across_sectors_with_its_count(client, strategies):
    response = client.get(STRATEGIES_URL)

    (sector,) = [g for g in response.context["facet_groups"] if g["param"] == "sector"]
    assert [(o["label"], o["count"]) for o in sector["options"]] == [
        ("Financial sector", 1),
        ("Across sectors", 1),
    ]
    assert 'value="none"' in response.text


def test_unknown_sector_is_reported_and_ignored(client, strategies):
    response = client.get(STRATEGIES_URL, {"sector": ["martian", "none"]})

    assert response.status_code == 200
    assert "“martian” is not a known sector; it was ignored." in response.text
    assert texts(response) == ["Open jobs in private companies to survivors."]


def test_csv_holds_the_listed_strategies_with_published_practices_only(
    client, strategies, read_csv
):
    rows = read_csv(client.get(STRATEGIES_CSV, {"sector": "none"}))

    assert rows == [
        {
            "strategy": "Open jobs in private companies to survivors.",
            "sector": "Across sectors",
            "audiences": "Law enforcement",
            "meeting": strategies["jobs"].meeting.title,
            "practices": "Survivor employment",
            "practice_urls": "http://testserver"
            + strategies["survivors"].get_absolute_url(),
            "source_url": "https://example.org/consultation",
        }
    ]


def test_xlsx_holds_the_same_rows_as_the_list(client, strategies, body):
    response = client.get(STRATEGIES_XLSX, {"audience": "law-enforcement"})

    assert response.status_code == 200
    data = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("strategy", "sector")
    assert [row[0] for row in rows[1:]] == [
        "Open jobs in private companies to survivors.",
        "Let banks and police agree on red flags.",
    ]
    assert rows[2][1] == "Financial sector"


def test_api_answers_the_strategies_with_their_facets(client, strategies):
    answer = client.get(STRATEGIES_API, {"audience": "labour-inspectors"}).json()

    assert answer["count"] == 1
    (item,) = answer["results"]
    assert item["strategy"] == "Let banks and police agree on red flags."
    assert sorted(item["audiences"]) == ["Labour inspectors", "Law enforcement"]
    assert item["practices"] == []
    facets = {group["param"]: group for group in answer["facets"]}
    assert {o["value"] for o in facets["sector"]["options"]} == {"financial"}


def test_site_search_has_a_recommended_strategies_group(client, strategies):
    response = client.get(reverse("search"), {"q": "survivors"})

    groups = {group["key"]: group for group in response.context["groups"]}
    assert groups["strategies"]["label"] == "Recommended strategies"
    assert [str(s) for s in groups["strategies"]["results"]] == [
        "Open jobs in private companies to survivors."
    ]
    assert strategies["jobs"].get_absolute_url() in response.text
    assert "Recommended strategies (1)" in response.text


def test_main_navigation_leads_to_the_strategies(client, strategies):
    home = client.get(reverse("home"))
    assert f'<a href="{STRATEGIES_URL}">Strategies</a>' in home.text

    response = client.get(STRATEGIES_URL)
    assert f'<a href="{STRATEGIES_URL}" aria-current="page">Strategies</a>' in (
        response.text
    )


def test_the_include_links_published_practices_only(strategies):
    html = render_to_string(
        "partnerships/includes/strategy_items.html",
        {"strategies": Strategy.objects.published().for_display()},
    )

    assert 'id="strategy-{}"'.format(strategies["jobs"].pk) in html
    assert "Survivor employment" in html
    assert "Unreleased employment" not in html
    assert "A draft strategy" not in html


@pytest.mark.parametrize("size", [2, 12])
def test_list_queries_do_not_grow_with_the_strategies(
    client, taxonomy, django_assert_max_num_queries, size
):
    meeting = MeetingFactory(published=True)
    for n in range(size):
        strategy = StrategyFactory(published=True, meeting=meeting)
        strategy.audiences.add(taxonomy["law_enforcement"])
        strategy.practices.add(PracticeFactory(published=True, title=f"P{n}"))

    # Guards against N+1: audiences and practices are prefetched for the page.
    with django_assert_max_num_queries(14):
        response = client.get(STRATEGIES_URL)

    assert len(response.context["object_list"]) == size
