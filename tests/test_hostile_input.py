"""Whatever arrives in a query string, every public page answers without a 500 and
without showing anything that is still a draft.

The drafts below (a practice, a meeting, action points, lessons, a partner and a tag)
all carry MARKER in their public-facing text; no response body may ever contain it.
Drafts share sectors, regions, partners and a search word ("quokka") with the
published content, so that filters, facets and search all have a road to them.
"""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from practices.models import OrganisationType
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

MARKER = "zqxdraftleak"
ALLOWED_STATUSES = {200, 301, 302, 400, 404}

PUBLIC_PATHS = [
    "/",
    "/about/",
    "/practices/",
    "/practices/export.csv",
    "/practices/shared-red-flags/",
    "/sectors/financial/",
    "/meetings/",
    "/meetings/africa-regm/",
    "/action-points/",
    "/action-points/export.csv",
    "/organisations/",
    "/organisations/global-bank-alliance/",
    "/search/",
]
# Addresses of drafts: they must answer 404, whatever the query string says.
DRAFT_PATHS = [
    "/practices/hidden-practice/",
    "/meetings/hidden-meeting/",
    "/organisations/hidden-partner/",
]
PARAMETERS = [
    "q",
    "sector",
    "region",
    "country",
    "partner_type",
    "audience",
    "stage",
    "kind",
    "tag",
    "year_from",
    "year_to",
    "sort",
    "page",
    "meeting",
    "type",
]
# Values that point at drafts or are known to upset parsers; the drafts' slugs are
# probes, they do not hold MARKER (an echoed "unknown value" message is not a leak).
NASTY_VALUES = [
    "",
    " ",
    "\x00",
    "quokka",
    "hidden-practice",
    "hidden-meeting",
    "hidden-partner",
    "quokka-ops",
    "financial",
    "africa",
    "NG",
    "ngo",
    "relevance",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2017.5",
    "' OR 1=1 --",
    '"unbalanced',
    "-",
    "or",
    "!!:*&|",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "\u202etxt.exe",
    "\ufeff",
    "ｑuokka",
    "Ⅻ",
    "\U0001f600",
    "%00",
    "%",
]


@pytest.fixture
def site(taxonomy):
    """Published content on every public page, with drafts next to it."""
    cache.clear()
    t = taxonomy
    bank = OrganisationFactory(
        name="Global Bank Alliance",
        slug="global-bank-alliance",
        type=OrganisationType.FINANCIAL_INSTITUTION,
    )
    hidden_partner = OrganisationFactory(
        name=f"Quokka holdings {MARKER}", slug="hidden-partner"
    )
    shared = {
        "sectors": [t["financial"]],
        "countries": [t["nigeria"]],
        "regions": [t["africa"], t["sub_saharan"]],
        "stages": [t["financial_flows"]],
        "audiences": [t["law_enforcement"]],
        "kind": t["fi_partnership"],
    }
    published = PracticeFactory(
        published=True,
        slug="shared-red-flags",
        title="Shared red flags of trafficking",
        tags=["red flags"],
        partners=[(bank, "lead")],
        **shared,
    )
    draft = PracticeFactory(
        slug="hidden-practice",
        title=f"Quokka {MARKER} practice",
        summary=f"Quokka summary {MARKER}.",
        description=f"Quokka description {MARKER}.",
        outcomes=f"Quokka outcomes {MARKER}.",
        tags=[Tag.objects.create(name=f"Quokka {MARKER}", slug="quokka-ops")],
        partners=[(bank, "partner"), (hidden_partner, "lead")],
        **shared,
    )
    PracticeSourceFactory(practice=draft, title=f"Quokka report {MARKER}")

    meeting = MeetingFactory(published=True, slug="africa-regm", region=t["africa"])
    meeting.practices.add(published, draft)
    meeting.organisations.add(bank)
    InsightFactory(meeting=meeting, sector=t["financial"])
    draft_meeting = MeetingFactory(
        slug="hidden-meeting",
        title=f"Quokka meeting {MARKER}",
        short_title=f"Quokka {MARKER}",
        summary=f"Quokka meeting summary {MARKER}.",
        region=t["africa"],
    )
    draft_meeting.organisations.add(bank, hidden_partner)
    InsightFactory(
        meeting=draft_meeting,
        sector=t["financial"],
        text=f"Quokka insight {MARKER}.",
    )

    audience = t["law_enforcement"]
    ActionPointFactory(
        published=True, audience=audience, sector=t["financial"], meeting=meeting
    )
    ActionPointFactory(
        text=f"Quokka draft action {MARKER}.", audience=audience, sector=t["financial"]
    )
    # Published itself, but its meeting is a draft: it must stay hidden with it.
    ActionPointFactory(
        published=True,
        text=f"Quokka action of a hidden meeting {MARKER}.",
        audience=audience,
        sector=t["financial"],
        meeting=draft_meeting,
    )
    LessonLearnedFactory(text=f"Quokka draft lesson {MARKER}.", sector=t["financial"])
    LessonLearnedFactory(
        published=True,
        text=f"Quokka lesson of a hidden practice {MARKER}.",
        sector=t["financial"],
        practice=draft,
    )
    return {"published": published, "draft": draft}


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def assert_safe(response, path):
    assert response.status_code in ALLOWED_STATUSES, (path, response.status_code)
    body = body_of(response)
    assert MARKER.encode() not in body, f"a draft leaked on {path}"
    assert MARKER not in response.get("Location", "")
    return body


# Strategies ---------------------------------------------------------------------

# st.text() already draws NUL, control characters, combining marks and astral
# characters; lone surrogates cannot be UTF-8 encoded by a client, so they arrive
# through the raw query strings below.
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY_VALUES),
    st.builds(lambda ch, n: ch * n, st.characters(), st.integers(200, 10_000)),
)
keys = st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=12))
pairs = st.lists(st.tuples(keys, values), max_size=8)


def _percent(data: bytes) -> str:
    return "".join(f"%{byte:02X}" for byte in data)


raw_pieces = st.one_of(
    st.sampled_from(["&", "=", "&&", "==", "+", ";", "?", "#", "%", "%%", "%G1"]),
    st.sampled_from(["%zz", "%E2%82", "%C0%AF", "%FF%FE", "%ED%A0%80", "%00"]),
    st.sampled_from([f"{name}=" for name in PARAMETERS]),
    st.sampled_from(NASTY_VALUES).map(lambda v: quote(v, safe="")),
    st.binary(max_size=12).map(_percent),
    # Raw bytes a careless client sends unescaped (the WSGI string is latin-1).
    st.binary(max_size=12).map(lambda b: b.decode("latin-1")),
    st.characters(categories=["Cs"]).map(
        lambda c: _percent(c.encode("utf-8", "surrogatepass"))
    ),
    st.text(max_size=10).map(lambda t: quote(t.encode("utf-8"), safe="=&")),
)
raw_queries = st.lists(raw_pieces, min_size=1, max_size=15).map("".join)

HYPOTHESIS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


# Tests --------------------------------------------------------------------------


@HYPOTHESIS
@given(
    path=st.sampled_from(PUBLIC_PATHS + DRAFT_PATHS),
    params=pairs,
)
def test_arbitrary_parameters_never_fail_or_show_drafts(client, site, path, params):
    assume(all(MARKER not in key + value for key, value in params))
    response = client.get(path, params)
    assert_safe(response, path)
    if path in DRAFT_PATHS:
        assert response.status_code == 404


@HYPOTHESIS
@given(path=st.sampled_from(PUBLIC_PATHS + DRAFT_PATHS), raw=raw_queries)
def test_malformed_query_strings_never_fail_or_show_drafts(client, site, path, raw):
    assume(MARKER not in raw)
    assert_safe(client.get(path, QUERY_STRING=raw), path)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("q=" + "quokka " * 1500, id="10k-search"),
        pytest.param("sector=" + "f" * 10_000, id="10k-slug"),
        pytest.param("year_from=" + "9" * 10_000, id="10k-number"),
        pytest.param("page=" + "9" * 10_000, id="10k-page"),
        pytest.param("&".join(["sector=financial"] * 2000), id="2000-repeats"),
        pytest.param(
            "&".join(f"p{n}=x" for n in range(1000)), id="1000-unknown-params"
        ),
        pytest.param("q=%00quokka%00&sector=%00", id="nul"),
        pytest.param("q=%ED%A0%80%ED%B0%80&tag=%FF", id="surrogates-bad-utf8"),
        pytest.param("q=%&sector=%zz&region=%E2%82", id="bad-percent"),
        pytest.param("q=quokka", id="draft-word"),
        pytest.param(
            "tag=quokka-ops&sector=financial&region=africa&country=NG"
            "&partner_type=ngo&audience=law-enforcement&stage=financial-flows"
            "&kind=financial-intelligence-partnership&meeting=hidden-meeting",
            id="every-facet-towards-drafts",
        ),
        pytest.param("sort=relevance&q=quokka%20OR%20red", id="search-or"),
        pytest.param("q=OR&sort=relevance", id="only-or"),
        pytest.param("q=%22%22%20-%22%22", id="empty-quotes"),
        pytest.param("type=ngo&page=2", id="organisation-type"),
    ],
)
def test_known_hostile_queries_never_fail_or_show_drafts(client, site, query):
    for path in PUBLIC_PATHS:
        assert_safe(client.generic("GET", f"{path}?{query}"), path)
    for path in DRAFT_PATHS:
        response = client.generic("GET", f"{path}?{query}")
        assert_safe(response, path)
        assert response.status_code == 404, path


def test_published_content_is_still_found_by_the_same_routes(client, site):
    """The hostile-input tests above would pass on empty pages; these ones are not."""
    listing = client.get("/practices/", {"sector": "financial", "q": "red flags"})
    assert b"Shared red flags of trafficking" in body_of(listing)
    export = client.get("/practices/export.csv", {"sector": "financial"})
    assert b"Shared red flags of trafficking" in body_of(export)
    assert client.get("/meetings/africa-regm/").status_code == 200
    assert client.get("/organisations/global-bank-alliance/").status_code == 200
