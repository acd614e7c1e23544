"""The JSON API's lists hold the site's lists' rows, in their order, with their facets
and messages; its details show published items only; every error is JSON."""

import csv
import io
import json

import pytest
from django.urls import reverse

from core.listing.csv import cell
from core.listing.views import MAX_PAGE_SIZE, PAGE_MISSING, PAGE_SIZE
from practices.views import PracticeListView
from tests.api.conftest import ACTION_POINT_PAGE
from tests.factories import (
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    PracticeSourceFactory,
)

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
API_PRACTICES = reverse("api:practice_list")
API_ACTION_POINTS = reverse("api:action_point_list")

PRACTICE_QUERIES = [
    "",
    "sort=newest",
    "sort=oldest&sector=supply-chain&sector=financial",
    "q=cocoa",
    "q=cocoa&sort=title&year_from=2012",
    "q=growers%20-cotton&sort=oldest",
    "region=africa&tag=banks&tag=apps",
    "partner_type=ngo&kind=technology-tool",
    "country=NG&country=CA&stage=recruitment",
    "sector=no-such-sector&year_from=abc&tag=draft-only&audience=law-enforcement",
]
ACTION_POINT_QUERIES = [
    "",
    "q=cocoa",
    "audience=law-enforcement",
    "sector=financial&sector=supply-chain",
    "meeting=africa-regm",
    "meeting=hidden-regm&sector=no-such-sector",
    "q=typologies&audience=labour-inspectors&meeting=asia-regm",
]


def api(client, path, query="", **extra):
    response = client.get(f"{path}?{query}", **extra)
    assert response["Content-Type"] == "application/json"
    return response


def read_csv(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body[1:], newline="")))


def as_csv(item):
    """An API item as the CSV writes its row."""
    return {key: str(cell(value)) for key, value in item.items()}


def expanded(query, groups):
    """The HTML list's query showing every facet whole, as the API does."""
    more = "&".join(f"more={group['param']}" for group in groups)
    return f"{query}&{more}"


def facet_state(groups):
    return [
        (
            group["param"],
            group["label"],
            [
                (o["value"], o["label"], o["count"], o["selected"])
                for o in group["options"]
            ],
        )
        for group in groups
    ]


# Same rows, order, counts, facets and messages as the HTML list and the CSV ------
# Each test walks its queries in a loop: the lists' content is built once per test.


def test_practice_api_holds_the_html_pages_rows_in_its_order(client, practices):
    pages_read = {}
    for query in PRACTICE_QUERIES:
        page, html = 0, None
        while html is None or html.status_code == 200:
            page += 1
            html = client.get(f"{reverse('practices:list')}?{query}&page={page}")
            response = api(client, API_PRACTICES, f"{query}&page={page}")
            assert response.status_code == html.status_code, (query, page)
            if html.status_code != 200:
                break
            answer = response.json()
            assert [item["url"] for item in answer["results"]] == [
                ORIGIN + practice.get_absolute_url()
                for practice in html.context["object_list"]
            ], (query, page)
            assert answer["count"] == html.context["result_count"], query
            assert answer["num_pages"] == html.context["paginator"].num_pages, query
            assert (answer["page"], answer["page_size"]) == (page, PAGE_SIZE)
            assert answer["query"] == html.context["search_query"], query
            assert answer["messages"] == html.context["filter_messages"], query
        assert html.status_code == 404
        pages_read[query] = page - 1
    assert pages_read[""] == 3, "the unfiltered list has three pages"


def test_action_point_api_holds_the_html_pages_rows_in_its_order(client, action_points):
    for query in ACTION_POINT_QUERIES:
        for page in (1, 2):
            html = client.get(
                f"{reverse('partnerships:action_point_list')}?{query}&page={page}"
            )
            response = api(client, API_ACTION_POINTS, f"{query}&page={page}")
            assert response.status_code == html.status_code, (query, page)
            if html.status_code != 200:
                continue
            answer = response.json()
            assert [item["action"] for item in answer["results"]] == [
                point.text for point in html.context["object_list"]
            ], (query, page)
            assert answer["count"] == html.context["result_count"], query
            assert answer["page_size"] == ACTION_POINT_PAGE
            assert answer["messages"] == html.context["filter_messages"], query


@pytest.mark.postgres
def test_full_text_searches_rank_the_same_rows_on_the_api_and_the_page(
    client, reference_content
):
    queries = [
        "q=cote",
        'q="worker voice"',
        "q=banks -audit&sort=relevance",
        "q=bank or fintrac",
        "q=recruitment fees&sector=supply-chain",
        "q=banking&sort=newest",
    ]
    for query in queries:
        html = client.get(f"{reverse('practices:list')}?{query}")
        answer = api(client, API_PRACTICES, query).json()
        assert answer["results"], f"{query} finds practices"
        assert [item["url"] for item in answer["results"]] == [
            ORIGIN + practice.get_absolute_url()
            for practice in html.context["object_list"]
        ], query
        assert answer["count"] == html.context["result_count"], query


def test_practice_api_rows_are_the_csv_rows(client, practices):
    for query in PRACTICE_QUERIES:
        rows = read_csv(client.get(f"{reverse('practices:export')}?{query}"))

        answer = api(client, API_PRACTICES, f"{query}&page_size={MAX_PAGE_SIZE}").json()

        assert answer["count"] == len(rows) <= MAX_PAGE_SIZE, query
        assert [as_csv(item) for item in answer["results"]] == rows, query


def test_action_point_api_rows_are_the_csv_rows(client, action_points):
    export = reverse("partnerships:action_point_export")
    for query in ACTION_POINT_QUERIES:
        rows = read_csv(client.get(f"{export}?{query}"))

        answer = api(
            client, API_ACTION_POINTS, f"{query}&page_size={MAX_PAGE_SIZE}"
        ).json()

        assert answer["count"] == len(rows), query
        assert [as_csv(item) for item in answer["results"]] == rows, query


def test_facets_are_the_html_lists_facets_shown_whole(client, practices, action_points):
    lists = [
        (API_PRACTICES, "practices:list", PRACTICE_QUERIES),
        (API_ACTION_POINTS, "partnerships:action_point_list", ACTION_POINT_QUERIES),
    ]
    for path, html_path, queries in lists:
        for query in queries:
            answer = api(client, path, query).json()
            html = client.get(
                f"{reverse(html_path)}?{expanded(query, answer['facets'])}"
            )
            assert facet_state(answer["facets"]) == facet_state(
                html.context["facet_groups"]
            ), query
            assert answer["facets"], "the lists have facets"


@pytest.mark.parametrize(
    "query", ["page=2", "sector=financial&tag=banks&page_size=2&page=2"]
)
def test_a_facet_options_link_toggles_it_from_page_1(client, practices, query):
    answer = api(client, API_PRACTICES, query).json()

    for group in answer["facets"]:
        for option in group["options"]:
            assert option["toggle_url"].startswith(ORIGIN + API_PRACTICES + "?")
            toggled = client.get(option["toggle_url"]).json()
            (after,) = [g for g in toggled["facets"] if g["param"] == group["param"]]
            selected = {o["value"] for o in after["options"] if o["selected"]}
            assert (option["value"] in selected) is not option["selected"]
            assert toggled["page"] == 1


def test_the_payload_is_the_json_renderers_answer(rf, practices):
    request = rf.get(
        API_PRACTICES,
        {"q": "cocoa", "sector": ["financial", "nope"], "page": "2", "page_size": "3"},
    )

    rendered = PracticeListView.as_view(renderer="json")(request)

    assert PracticeListView.payload_for(request) == json.loads(rendered.content)


# Pagination ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "export", "key", "fixture"),
    [
        (API_PRACTICES, "practices:export", "url", "practices"),
        (
            API_ACTION_POINTS,
            "partnerships:action_point_export",
            "action",
            "action_points",
        ),
    ],
)
def test_following_next_reads_every_row_once_in_the_csvs_order(
    request, client, path, export, key, fixture
):
    request.getfixturevalue(fixture)
    query = "page_size=7&sort=newest"
    rows = [row[key] for row in read_csv(client.get(f"{reverse(export)}?{query}"))]

    seen, pages, url = [], [], f"{ORIGIN}{path}?{query}"
    while url:
        answer = client.get(url).json()
        pages.append(answer)
        seen += [item[key] for item in answer["results"]]
        url = answer["next"]

    assert seen == rows
    assert len(set(seen)) == len(seen) == pages[0]["count"]
    assert len(pages) == pages[0]["num_pages"] > 2
    assert [page["page"] for page in pages] == list(range(1, len(pages) + 1))
    assert pages[0]["previous"] is None
    for before, after in zip(pages, pages[1:], strict=False):
        back = client.get(after["previous"]).json()
        assert back["results"] == before["results"]


@pytest.mark.parametrize(
    ("page_size", "expected"),
    [("7", 7), ("0", 1), ("-3", 1), ("1000", MAX_PAGE_SIZE), ("abc", PAGE_SIZE)],
)
def test_page_size_is_kept_within_bounds(client, practices, page_size, expected):
    answer = api(client, API_PRACTICES, f"page_size={page_size}").json()

    assert answer["page_size"] == expected
    assert len(answer["results"]) == min(expected, len(practices))


@pytest.mark.parametrize("page", ["99", "0", "-1", "abc", "1.5", "9" * 50])
def test_a_missing_page_is_a_json_404_with_the_lists_sentence(client, practices, page):
    response = api(client, API_PRACTICES, f"page={page}&sector=financial")
    html = client.get(reverse("practices:list"), {"page": page, "sector": "financial"})

    assert response.status_code == html.status_code == 404
    assert response.json() == {"detail": PAGE_MISSING}
    assert PAGE_MISSING in html.text


# Details ------------------------------------------------------------------------


def test_practice_detail_is_its_list_item_with_its_description(client, practices):
    practice = practices[0]
    PracticeSourceFactory(practice=practice, url="https://example.org/annual-report")
    listed = api(client, API_PRACTICES, f"page_size={MAX_PAGE_SIZE}").json()
    (item,) = [i for i in listed["results"] if i["url"].endswith(f"/{practice.slug}/")]

    response = api(client, reverse("api:practice_detail", args=[practice.slug]))

    assert response.status_code == 200
    assert response.json() == {**item, "description": practice.description}
    assert item["sources"] == ["https://example.org/annual-report"]
    assert item["url"] == ORIGIN + practice.get_absolute_url()


def test_meeting_detail_shows_the_meeting_and_only_published_practices(
    client, taxonomy
):
    organisation = OrganisationFactory(name="Coastal Bank")
    shown = PracticeFactory(published=True, title="Bank red flags")
    hidden = PracticeFactory(title="Draft practice")
    meeting = MeetingFactory(
        published=True,
        slug="americas-regm",
        title="Americas Regional Expert Group Meeting",
        short_title="Americas REGM",
        region=taxonomy["americas"],
        participants_count=120,
        format="online",
    )
    meeting.organisations.add(organisation)
    meeting.practices.add(shown, hidden)
    InsightFactory(meeting=meeting, text="Trust grows.", sector=taxonomy["financial"])
    InsightFactory(meeting=meeting, text="Across sectors.")
    meeting.sources.create(title="Report", url="https://example.org/regm-report")

    answer = api(client, reverse("api:meeting_detail", args=["americas-regm"])).json()

    assert answer == {
        "title": "Americas Regional Expert Group Meeting",
        "short_title": "Americas REGM",
        "url": ORIGIN + meeting.get_absolute_url(),
        "kind": "Regional Expert Group Meeting",
        "region": "Americas",
        "region_detail": "",
        "start_date": None,
        "end_date": None,
        "date_note": "",
        "outcomes_published": True,
        "format": "Online",
        "host_office": "",
        "participants_count": 120,
        "participants_note": "",
        "summary": meeting.summary,
        "description": "",
        "funder": "",
        "organisations": [
            {"name": "Coastal Bank", "url": ORIGIN + organisation.get_absolute_url()}
        ],
        "practices": [
            {"title": "Bank red flags", "url": ORIGIN + shown.get_absolute_url()}
        ],
        "insights": [
            {"text": "Trust grows.", "sector": "Financial sector"},
            {"text": "Across sectors.", "sector": None},
        ],
        "sources": ["https://example.org/regm-report"],
    }


def test_organisation_detail_shows_its_roles_in_published_content_only(
    client, taxonomy
):
    organisation = OrganisationFactory(
        name="Coastal Bank", slug="coastal-bank", country=taxonomy["nigeria"]
    )
    shown = PracticeFactory(
        published=True, title="Bank red flags", partners=[(organisation, "lead")]
    )
    PracticeFactory(title="Draft practice", partners=[organisation])
    meeting = MeetingFactory(published=True, title="Africa REGM meeting")
    meeting.organisations.add(organisation)
    MeetingFactory(title="Draft meeting").organisations.add(organisation)

    answer = api(client, reverse("api:organisation_detail", args=["coastal-bank"]))

    assert answer.json() == {
        "name": "Coastal Bank",
        "url": ORIGIN + organisation.get_absolute_url(),
        "type": "NGO",
        "country": "Nigeria",
        "website": "",
        "description": "",
        "practices": [
            {
                "title": "Bank red flags",
                "url": ORIGIN + shown.get_absolute_url(),
                "role": "Lead",
            }
        ],
        "meetings": [
            {"title": "Africa REGM meeting", "url": ORIGIN + meeting.get_absolute_url()}
        ],
    }


@pytest.mark.parametrize(
    ("route", "noun"),
    [
        ("api:practice_detail", "practice"),
        ("api:meeting_detail", "meeting"),
        ("api:organisation_detail", "organisation"),
    ],
)
def test_drafts_and_unknown_slugs_are_a_json_404(client, editor, taxonomy, route, noun):
    only_in_drafts = OrganisationFactory(slug="draft", name="Only in drafts")
    PracticeFactory(slug="draft", title="Draft practice", partners=[only_in_drafts])
    MeetingFactory(slug="draft", title="Draft meeting").organisations.add(
        only_in_drafts
    )
    # Staff preview drafts on the site; the API has no sign-in and never does.
    client.force_login(editor)

    for slug in ("draft", "no-such-slug"):
        response = api(client, reverse(route, args=[slug]))
        assert response.status_code == 404
        assert response.json() == {"detail": f"No published {noun} has that address."}


@pytest.mark.parametrize(
    "path", ["/api/v1/nowhere/", "/api/v1/practices/ä/", "/api/", "/api/v2/practices/"]
)
def test_any_other_address_under_the_api_is_a_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "There is nothing at this address."}


def test_a_failure_under_the_api_is_a_json_500(client, monkeypatch):
    def fail(cls, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(PracticeListView, "payload_for", classmethod(fail))
    client.raise_request_exception = False

    response = client.get(API_PRACTICES)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "went wrong" in response.json()["detail"]


# Read-only, anonymous, cacheable, readable from any site ------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, practices, method):
    response = getattr(client, method)(
        API_PRACTICES, {}, content_type="application/json"
    )

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "detail" in response.json()


def test_head_and_options_answer(client, practices):
    head = client.head(API_PRACTICES)
    options = client.options(API_PRACTICES).json()

    assert head.status_code == 200
    assert head["Content-Type"] == "application/json"
    assert options["name"] == "Practices"
    assert "same rows in the same order" in options["description"]


def test_a_signed_in_user_gets_the_public_answer(client, editor, practices):
    anonymous = api(client, API_PRACTICES).json()
    client.force_login(editor)

    response = api(client, API_PRACTICES)

    assert response.json() == anonymous
    assert "public" in response["Cache-Control"]


def test_api_answers_are_cacheable_like_public_pages(client, practices, settings):
    response = api(client, API_PRACTICES, "sector=financial")

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={settings.PUBLIC_CACHE_SECONDS}"}
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"cookie", "origin"} <= vary
    again = client.get(
        f"{API_PRACTICES}?sector=financial",
        headers={"If-None-Match": response["ETag"]},
    )
    assert again.status_code == 304


def test_api_errors_are_not_cached(client, practices):
    response = api(client, API_PRACTICES, "page=99")

    assert response.status_code == 404
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [API_PRACTICES, API_ACTION_POINTS, "/api/v1/practices/practice-00/", "/api/v1/x/"],
)
def test_any_site_may_read_the_api(client, practices, path):
    response = client.get(path, headers={"Origin": "https://example.org"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_pages_outside_the_api_are_not_shared_with_other_sites(client, practices):
    response = client.get(
        reverse("practices:list"), headers={"Origin": "https://example.org"}
    )

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_allows_reading_only(client):
    response = client.options(
        API_PRACTICES,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "GET",
        },
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
