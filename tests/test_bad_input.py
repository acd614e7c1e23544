"""Whatever arrives in the query string, the public pages answer sensibly, never 500."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from core.search import MAX_QUERY_LENGTH
from tests.factories import (
    ActionPointFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:list")


@pytest.fixture
def site(taxonomy):
    bank = PracticeFactory(
        published=True,
        title="Bank red flags",
        sectors=[taxonomy["financial"]],
        kind=taxonomy["fi_partnership"],
        partners=[OrganisationFactory(name="Coastal Bank")],
        start_year=2015,
    )
    tool = PracticeFactory(
        published=True,
        title="Bank screening tool",
        summary="Screening payments.",
        sectors=[taxonomy["financial"]],
        kind=taxonomy["tool"],
        start_year=2020,
    )
    other = PracticeFactory(
        published=True,
        title="Supplier app",
        summary="Workers rate recruiters.",
        sectors=[taxonomy["supply"]],
        kind=taxonomy["tool"],
        start_year=2021,
    )
    meeting = MeetingFactory(published=True, slug="africa-regm")
    ActionPointFactory(published=True, meeting=meeting)
    return {"bank": bank, "tool": tool, "other": other, "meeting": meeting}


def titles(response):
    return {practice.title for practice in response.context["object_list"]}


def fieldset(response, param):
    match = re.search(
        rf'<fieldset class="facet[^"]*" id="facet-{param}">.*?</fieldset>',
        response.text,
        flags=re.S,
    )
    assert match, f"the {param} filter is on the page"
    return match.group(0)


@pytest.mark.parametrize(
    ("param", "value", "label"),
    [
        ("sector", "no-such-sector", "sector"),
        ("region", "atlantis", "region"),
        ("country", "XX", "country"),
        ("partner_type", "pirates", "partner type"),
        ("audience", "aliens", "audience"),
        ("stage", "teleportation", "trafficking stage"),
        ("tag", "no-such-tag", "tag"),
    ],
)
def test_unknown_value_is_reported_beside_its_filter_and_others_still_apply(
    client, site, param, value, label
):
    response = client.get(LIST_URL, {param: value, "kind": "technology-tool"})

    assert response.status_code == 200
    assert f"“{value}” is not a known {label}; it was ignored." in fieldset(
        response, param
    )
    assert titles(response) == {"Bank screening tool", "Supplier app"}


def test_unknown_value_is_ignored_while_known_values_of_the_same_filter_apply(
    client, site
):
    response = client.get(
        LIST_URL + "?sector=no-such-sector&sector=financial&kind=technology-tool"
    )

    assert titles(response) == {"Bank screening tool"}
    assert "“no-such-sector” is not a known sector" in fieldset(response, "sector")
    chips = [chip["value"] for chip in response.context["chips"]]
    assert chips == ["financial", "technology-tool"]


@pytest.mark.parametrize(
    ("query", "message", "expected"),
    [
        ("year_from=abc", "From: Enter a whole number.", 3),
        ("year_to=20x0", "To: Enter a whole number.", 3),
        ("year_from=1800", "From: Ensure this value is greater than or equal to", 3),
        ("year_to=99999", "To: Ensure this value is less than or equal to", 3),
        ("year_from=abc&year_to=2020", "From: Enter a whole number.", 2),
        ("year_from=2016&year_to=nope", "To: Enter a whole number.", 2),
    ],
)
def test_malformed_year_is_reported_and_other_filters_still_apply(
    client, site, query, message, expected
):
    response = client.get(f"{LIST_URL}?{query}")

    assert response.status_code == 200
    assert message in fieldset(response, "years")
    assert response.context["result_count"] == expected


def test_unknown_sort_is_reported_and_the_default_order_used(client, site):
    response = client.get(LIST_URL, {"sort": "sideways"})

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert [p.title for p in response.context["object_list"]] == [
        "Bank red flags",
        "Bank screening tool",
        "Supplier app",
    ]


def test_unknown_action_point_filter_is_reported(client, site):
    response = client.get(
        reverse("partnerships:action_point_list"),
        {"audience": "aliens", "meeting": "africa-regm"},
    )

    assert response.status_code == 200
    assert "“aliens” is not a known audience; it was ignored." in fieldset(
        response, "audience"
    )
    assert response.context["result_count"] == 1


@pytest.mark.parametrize("page", ["2", "99", "0", "-1", "abc", "1.5"])
@pytest.mark.parametrize(
    "url",
    [
        LIST_URL + "?sector=financial&",
        reverse("partnerships:action_point_list") + "?",
        reverse("practices:organisation_list") + "?",
    ],
)
def test_page_outside_the_list_is_not_found_with_a_way_back(client, site, url, page):
    response = client.get(f"{url}page={page}")

    assert response.status_code == 404
    assert "Page not found" in response.text
    path = url.split("?")[0]
    assert f'<a href="{path}">This list from its first page</a>' in response.text
    assert f'<a href="{LIST_URL}">Browse the practices</a>' in response.text


def test_list_page_out_of_range_says_why(client, site):
    response = client.get(LIST_URL, {"page": "7"})

    assert "That page of results does not exist" in response.text


PUBLIC_URLS = [
    reverse("home"),
    reverse("about"),
    LIST_URL,
    reverse("practices:export"),
    reverse("practices:sector", args=["financial"]),
    reverse("search"),
    reverse("partnerships:meeting_list"),
    reverse("partnerships:action_point_list"),
    reverse("partnerships:action_point_export"),
    reverse("practices:organisation_list"),
]
CONTROL_VALUES = ["\x00", "bank\x00financial", "\x01\x08\x1b[31m\x7f\r\n"]
PARAMS = ["q", "sector", "year_from", "sort", "page", "audience", "meeting", "type"]


@pytest.mark.parametrize("value", CONTROL_VALUES)
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_nul_and_control_characters_in_every_parameter_never_fail(
    client, site, url, value
):
    response = client.get(url, dict.fromkeys(PARAMS, value))

    # A page number that is not a number is "not found"; anything else is a page.
    assert response.status_code in {200, 404}
    if response.streaming:
        b"".join(response.streaming_content)
    without_page = client.get(
        url, {param: value for param in PARAMS if param != "page"}
    )
    assert without_page.status_code == 200


@pytest.mark.parametrize("value", CONTROL_VALUES)
@pytest.mark.parametrize("param", ["q", "sector", "year_from", "sort", "page"])
def test_nul_and_control_characters_in_one_list_parameter_never_fail(
    client, site, param, value
):
    response = client.get(LIST_URL, {param: value, "kind": "technology-tool"})

    assert response.status_code == (404 if param == "page" else 200)


def test_control_characters_do_not_hide_a_known_value(client, site):
    response = client.get(LIST_URL, {"sector": "\x00financial", "q": "bank\x00"})

    assert titles(response) == {"Bank red flags", "Bank screening tool"}


@pytest.mark.parametrize(
    "url", [LIST_URL, reverse("search"), reverse("partnerships:action_point_list")]
)
def test_a_huge_search_is_cut_and_still_answers(client, site, url):
    response = client.get(url, {"q": "bank " * 2000})

    assert response.status_code == 200
    value = re.search(r'type="search" name="q" value="([^"]*)"', response.text)
    assert value.group(1).startswith("bank bank")
    assert len(value.group(1)) <= MAX_QUERY_LENGTH


@pytest.mark.parametrize(
    "q",
    [
        "a " * 100,
        " ".join(f"w{n}" for n in range(60)),
        " ".join(f"-w{n}" for n in range(60)),
    ],
    ids=["100 one-letter words", "60 distinct words", "60 excluded words"],
)
@pytest.mark.parametrize(
    "url",
    [
        LIST_URL,
        reverse("practices:export"),
        reverse("search"),
        reverse("partnerships:action_point_list"),
    ],
)
def test_a_search_of_many_words_still_answers(client, site, url, q):
    response = client.get(url, {"q": q})

    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)


def test_a_huge_search_still_finds_its_words(client, site):
    response = client.get(LIST_URL, {"q": "bank " * 2000})

    assert response.context["search_query"] == ("bank " * 40).strip()
    assert titles(response) == {"Bank red flags", "Bank screening tool"}


def test_a_huge_search_still_exports(client, site):
    response = client.get(reverse("practices:export"), {"q": "bank " * 2000})

    body = b"".join(response.streaming_content).decode("utf-8")
    assert response.status_code == 200
    assert "Bank red flags" in body
    assert "Supplier app" not in body


@pytest.mark.parametrize(
    "values",
    [
        [f"sector-{n}" for n in range(500)],
        ["financial"] * 500,
        [f"sector-{n}" for n in range(499)] + ["financial"],
    ],
    ids=["500 unknown", "500 repeats", "499 unknown then a known one"],
)
def test_hundreds_of_repeated_values_answer_with_bounded_queries(
    client, site, django_assert_max_num_queries, values
):
    query = urlencode([("sector", value) for value in values] + [("q", "bank")])

    # Guards against work per repeated value: 500 values cost no more than one.
    with django_assert_max_num_queries(60):
        response = client.get(f"{LIST_URL}?{query}")

    assert response.status_code == 200


def test_repeated_values_count_once(client, site):
    response = client.get(LIST_URL + "?" + "&".join(["sector=financial"] * 500))

    assert titles(response) == {"Bank red flags", "Bank screening tool"}
    assert len(response.context["chips"]) == 1


def test_repeated_values_in_the_csv_export(client, site, django_assert_max_num_queries):
    query = urlencode([("tag", f"t{n}") for n in range(500)])

    # Guards against work per repeated value in the export as well.
    with django_assert_max_num_queries(20):
        response = client.get(f"{reverse('practices:export')}?{query}")
        body = b"".join(response.streaming_content).decode("utf-8")

    assert response.status_code == 200
    assert body.count("\n") == 4
