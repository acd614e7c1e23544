"""The API runs as many queries with 30 rows as with 3, like every public page.

Each endpoint is measured at both sizes over the corpus of tests/test_query_counts.py,
and its count pinned with ``django_assert_max_num_queries``.
"""

import pytest
from django.urls import reverse

from tests.test_query_counts import FILTERED, LARGE, SMALL, Corpus, count_queries

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "practices": lambda c: reverse("api:practice_list") + "?page_size=100",
    "practices, 3 filters and q": lambda c: reverse("api:practice_list") + FILTERED,
    "action points": lambda c: reverse("api:action_point_list") + "?page_size=100",
    "action points, filtered": lambda c: (
        reverse("api:action_point_list")
        + "?q=cocoa&audience=law-enforcement&sector=financial"
    ),
    "practice": lambda c: reverse("api:practice_detail", args=[c.practice.slug]),
    "meeting": lambda c: reverse("api:meeting_detail", args=[c.meeting.slug]),
    "organisation": lambda c: reverse(
        "api:organisation_detail", args=[c.organisation.slug]
    ),
}

# Measured on SQLite and PostgreSQL, with a little room. A search costs one query more
# on PostgreSQL, which reads the matching keys once for the whole page.
MAX_QUERIES = {
    # measured 28: the page's rows, one per related list, the facets (with the
    # composition facet), the content version
    "practices": 29,
    "practices, 3 filters and q": 33,  # 30, PostgreSQL 31
    # One more than without links: the published practices each point draws on.
    "action points": 10,  # 9
    "action points, filtered": 13,  # 11, PostgreSQL 12
    "practice": 11,  # 10
    "meeting": 6,  # 5
    "organisation": 4,  # 3
}


def test_every_endpoint_runs_the_same_queries_for_3_and_30_rows(
    client, taxonomy, django_assert_max_num_queries
):
    corpus = Corpus(taxonomy)
    corpus.grow_to(SMALL)
    urls = {name: url(corpus) for name, url in ENDPOINTS.items()}
    for url in urls.values():
        count_queries(client, url)  # warm per-process caches (content types) first
    small = {name: count_queries(client, url) for name, url in urls.items()}

    corpus.grow_to(LARGE)
    for url in urls.values():
        count_queries(client, url)  # the edits moved the content version: warm again
    large = {}
    for name, url in urls.items():
        # Guards against N+1: an endpoint's query count may not grow with its rows.
        with django_assert_max_num_queries(MAX_QUERIES[name], info=name):
            large[name] = count_queries(client, url)

    print({name: (small[name], large[name]) for name in urls})
    assert large == small
    answer = client.get(urls["practices, 3 filters and q"]).json()
    assert answer["count"] == LARGE + 1, "the filters select rows"
