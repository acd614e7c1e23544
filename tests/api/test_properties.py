"""Whatever its query string, the API answers JSON, 200 or 404, never a 500, and never
shows anything unpublished: not in a list, a detail, a facet label or a message.

The content is that of tests/test_publication.py (``drafts``: unpublished items carry
SECRET) and of tests/test_hostile_input.py (``hostile_site``: drafts carry MARKER beside
published content sharing their sectors, partners and search word); Hypothesis draws
the query strings as it does for the HTML lists.
"""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.test_hostile_input import (
    HYPOTHESIS,
    MARKER,
    NASTY_VALUES,
    pairs,
    raw_queries,
)
from tests.test_publication import SECRET

pytestmark = pytest.mark.django_db


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


API_LISTS = [
    reverse(f"api:{name}_list")
    for name in (
        "practice",
        "action_point",
        "organisation",
        "meeting",
        "lesson",
        "strategy",
    )
]
API_PATHS = [
    *API_LISTS,
    "/api/v1/practices/bank-red-flags/",
    "/api/v1/meetings/africa-regm/",
    "/api/v1/organisations/global-bank-alliance/",
    "/api/v1/openapi.json",
]
# Addresses of drafts: 404, whatever the query string says.
DRAFT_API_PATHS = [
    "/api/v1/practices/hidden-practice/",
    "/api/v1/meetings/hidden-meeting/",
    "/api/v1/organisations/hidden-partner/",
]


def assert_json_and_safe(response, path, secret=MARKER):
    """200 or 404 as JSON with nothing unpublished in it (or 400 for a language the
    site does not have, which ``lang`` alone can ask for); returns the parsed body."""
    assert response.status_code in {200, 400, 404}, (path, response.status_code)
    assert response["Content-Type"].startswith("application/"), path
    body = body_of(response)
    assert secret.encode() not in body, f"unpublished content leaked on {path}"
    data = json.loads(body)
    if response.status_code in (400, 404):
        assert list(data) == ["detail"], path
    if response.status_code == 400:
        assert "lang parameter names a language" in data["detail"], path
    return data


# Unpublished content, in every state, never reaches the API ----------------------

DRAFT_QUERIES = [
    "",
    "q=banks",
    "q=zanzibarite",
    "sector=technology&sort=oldest",
    "tag=zanzibarite-secret&tag=banks",
    "meeting=hidden-draft&meeting=hidden-review&meeting=hidden-archived",
    "country=CA&stage=recruitment&audience=labour-inspectors&kind=technology-tool",
    "partner_type=academia&year_to=2009&page_size=100",
]


@pytest.mark.parametrize("path", API_LISTS)
def test_no_api_list_shows_unpublished_content(client, drafts, path):
    for query in DRAFT_QUERIES:
        answer = assert_json_and_safe(client.get(f"{path}?{query}"), path, SECRET)
        labels = [
            option["label"] for group in answer["facets"] for option in group["options"]
        ]
        assert not any(SECRET in label for label in labels), query


def test_api_lists_count_only_published_content(client, drafts):
    practices = client.get(reverse("api:practice_list")).json()
    points = client.get(reverse("api:action_point_list"), {"q": "banks"}).json()

    assert [item["title"] for item in practices["results"]] == ["Bank red flags"]
    counts = {
        group["param"]: {o["value"]: o["count"] for o in group["options"]}
        for group in practices["facets"]
    }
    assert counts["sector"] == {"financial": 1}
    assert counts["tag"] == {"banks": 1}
    assert [item["action"] for item in points["results"]] == [
        "Ask banks for typologies."
    ]


def test_api_details_show_published_content_only(client, drafts):
    shown = [
        reverse("api:practice_detail", args=[drafts["visible"].slug]),
        reverse("api:meeting_detail", args=["africa-regm"]),
        reverse("api:organisation_detail", args=[drafts["shared_org"].slug]),
    ]
    for path in shown:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_json_and_safe(response, path, SECRET)

    for kind, route in [
        ("practices", "api:practice_detail"),
        ("meetings", "api:meeting_detail"),
        ("organisations", "api:organisation_detail"),
    ]:
        for hidden in drafts[kind]:
            path = reverse(route, args=[hidden.slug])
            response = client.get(path)
            assert response.status_code == 404, path
            assert_json_and_safe(response, path, SECRET)


# Hostile query strings ----------------------------------------------------------

API_PARAMETERS = ["q", "sector", "tag", "meeting", "page", "page_size", "format"]
api_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY_VALUES),
    st.integers(-(10**20), 10**20).map(str),
)
api_pairs = st.lists(
    st.tuples(st.sampled_from(API_PARAMETERS + ["lang", "version"]), api_values),
    max_size=6,
)


@HYPOTHESIS
@given(path=st.sampled_from(API_PATHS + DRAFT_API_PATHS), params=pairs)
def test_arbitrary_parameters_get_json_and_no_drafts(
    client, hostile_site, path, params
):
    assume(all(MARKER not in key + value for key, value in params))
    response = client.get(path, params)
    assert_json_and_safe(response, path)
    if path in DRAFT_API_PATHS:
        assert response.status_code == 404


@HYPOTHESIS
@given(path=st.sampled_from(API_PATHS + DRAFT_API_PATHS), params=api_pairs)
def test_paging_and_schema_parameters_get_json_and_no_drafts(
    client, hostile_site, path, params
):
    assume(all(MARKER not in value for _, value in params))
    assert_json_and_safe(client.get(path, params), path)


@HYPOTHESIS
@given(path=st.sampled_from(API_PATHS + DRAFT_API_PATHS), raw=raw_queries)
def test_malformed_query_strings_get_json_and_no_drafts(
    client, hostile_site, path, raw
):
    assume(MARKER not in raw)
    assert_json_and_safe(client.get(path, QUERY_STRING=raw), path)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("q=" + "quokka " * 1500, id="10k-search"),
        pytest.param("page_size=" + "9" * 10_000, id="10k-page-size"),
        pytest.param("page=" + "9" * 10_000, id="10k-page"),
        pytest.param("q=%00quokka%00&sector=%00&page=%00", id="nul"),
        pytest.param("q=%ED%A0%80%ED%B0%80&tag=%FF", id="surrogates-bad-utf8"),
        pytest.param("q=quokka&tag=quokka-ops&meeting=hidden-meeting", id="drafts"),
        pytest.param("format=api&format=csv", id="format"),
        pytest.param("lang=zz-%00&version=../", id="schema-parameters"),
        # Once written into the schema's Content-Disposition filename: a 500.
        pytest.param("version=%0A", id="schema-version-line-break"),
    ],
)
def test_known_hostile_queries_get_json_and_no_drafts(client, hostile_site, query):
    for path in API_PATHS + DRAFT_API_PATHS:
        response = client.generic("GET", f"{path}?{query}")
        assert_json_and_safe(response, path)
        if path in DRAFT_API_PATHS:
            # A language the site does not have is refused before anything is
            # looked up, for a draft as for an address that never existed.
            assert response.status_code == (400 if "lang=zz" in query else 404), path


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("&".join(["sector=financial"] * 2000), id="2000-repeats"),
        pytest.param("&".join(f"p{n}=x" for n in range(1001)), id="1001-params"),
    ],
)
def test_more_parameters_than_django_reads_are_refused_in_json(
    client, hostile_site, query
):
    for path in API_PATHS:
        response = client.generic("GET", f"{path}?{query}")
        assert response.status_code == 400, path
        assert list(response.json()) == ["detail"], path


def test_published_content_is_found_through_the_api(client, hostile_site):
    """The properties above would hold for an API that found nothing."""
    cache.clear()
    answer = client.get(API_LISTS[0], {"sector": "financial", "q": "red flags"}).json()
    assert [item["title"] for item in answer["results"]] == ["Bank red flags"]
    assert client.get("/api/v1/meetings/africa-regm/").status_code == 200
    assert client.get("/api/v1/organisations/global-bank-alliance/").status_code == 200
