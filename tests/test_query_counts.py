"""Every public page runs as many queries with 30 rows as with 3: no N+1 anywhere.

Each page is measured with CaptureQueriesContext at both sizes, and its count is pinned
with ``django_assert_max_num_queries`` so that a new query per row cannot creep in.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practices.models import OrganisationType, PracticePartner
from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    PracticeSourceFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30
FILTERED = "?q=cocoa&sector=financial&country=NG&tag=cocoa&sort=newest"


class Corpus:
    """Published content that grows by whole "rows": each row touches every page."""

    def __init__(self, taxonomy):
        self.t = taxonomy
        self.size = 0
        self.organisation = OrganisationFactory(
            name="Cocoa Board", type=OrganisationType.REGULATOR
        )
        self.practice = PracticeFactory(
            published=True,
            title="Cocoa traceability",
            sectors=[taxonomy["financial"], taxonomy["supply"]],
            stages=[taxonomy["recruitment"]],
            countries=[taxonomy["nigeria"], taxonomy["canada"]],
            tags=["cocoa"],
        )
        self.practice.sync_regions()
        self.meeting = MeetingFactory(
            published=True, slug="cocoa-regm", region=taxonomy["africa"]
        )

    def grow_to(self, size):
        t = self.t
        for n in range(self.size, size):
            partner = OrganisationFactory(
                name=f"Cocoa Exporter {n}",
                type=OrganisationType.PRIVATE_COMPANY,
                country=t["ivory_coast"],
            )
            practice = PracticeFactory(
                published=True,
                title=f"Cocoa cooperative {n}",
                sectors=[t["financial"], t["supply"]],
                countries=[t["nigeria"], t["ivory_coast"]],
                stages=[t["recruitment"], t["financial_flows"]],
                audiences=[t["law_enforcement"]],
                kind=t["tool"],
                tags=["cocoa", f"harvest {n}"],
                partners=[(partner, PracticePartner.Role.LEAD), self.organisation],
                start_year=2000 + n,
            )
            practice.sync_regions()
            PracticeSourceFactory(practice=practice)
            LessonLearnedFactory(published=True, practice=practice, sector=t["supply"])
            meeting = MeetingFactory(
                published=True, title=f"Cocoa meeting {n}", region=t["africa"]
            )
            meeting.organisations.add(partner)
            meeting.practices.add(practice)
            InsightFactory(meeting=meeting, text=f"Cocoa insight {n}.")
            point = ActionPointFactory(
                published=True,
                text=f"Trace cocoa {n}.",
                sector=t["financial"],
                audience=t["law_enforcement"],
                meeting=meeting,
            )
            point.practices.add(practice, self.practice)
            strategy = StrategyFactory(
                published=True, sector=t["financial"], meeting=meeting
            )
            strategy.audiences.add(t["law_enforcement"])
            strategy.practices.add(practice)
            # The focus practice, meeting and organisation gain one of each relation.
            PracticePartner.objects.create(
                practice=self.practice, organisation=partner, order=n + 1
            )
            PracticeSourceFactory(practice=self.practice)
            LessonLearnedFactory(published=True, practice=self.practice)
            self.practice.tags.add(f"harvest {n}")
            self.meeting.practices.add(practice)
            self.meeting.organisations.add(partner)
            InsightFactory(meeting=self.meeting, sector=t["financial"])
            ActionPointFactory(
                published=True,
                meeting=self.meeting,
                sector=t["supply"],
                audience=t["labour_inspectors"],
            )
            self.meeting.lessons.add(
                LessonLearnedFactory(published=True, sector=t["financial"])
            )
        self.size = size


PAGES = {
    "home": lambda c: reverse("home"),
    "about": lambda c: reverse("about"),
    "sector": lambda c: reverse("partnerships:sector", args=["financial"]),
    "practice list": lambda c: reverse("practices:list"),
    "practice list, 3 filters and q": lambda c: reverse("practices:list") + FILTERED,
    "practice detail": lambda c: c.practice.get_absolute_url(),
    "practice CSV": lambda c: reverse("practices:export"),
    "practice CSV, 3 filters and q": lambda c: reverse("practices:export") + FILTERED,
    "meetings": lambda c: reverse("partnerships:meeting_list"),
    "meeting CSV": lambda c: reverse("partnerships:meeting_export"),
    "lessons": lambda c: reverse("practices:lesson_list"),
    "lesson CSV": lambda c: reverse("practices:lesson_export"),
    "organisation CSV": lambda c: reverse("practices:organisation_export"),
    "meeting detail": lambda c: c.meeting.get_absolute_url(),
    "action points": lambda c: reverse("partnerships:action_point_list"),
    "action points, filtered": lambda c: (
        reverse("partnerships:action_point_list")
        + "?q=cocoa&audience=law-enforcement&sector=financial"
    ),
    "action point CSV": lambda c: reverse("partnerships:action_point_export"),
    "organisations": lambda c: reverse("practices:organisation_list"),
    "organisation detail": lambda c: c.organisation.get_absolute_url(),
    "search": lambda c: reverse("search") + "?q=cocoa",
    "roles": lambda c: reverse("partnerships:audience_list"),
    "role page": lambda c: reverse(
        "partnerships:audience_detail", args=["law-enforcement"]
    ),
}

# Measured on SQLite and PostgreSQL, with a little room. A search costs one query more
# on PostgreSQL, which reads the matching keys once for the whole page.
# Every HTML page reads the content version once (its ETag, its facet cache keys):
# the "+ 1" below; streamed CSVs carry no ETag.
MAX_QUERIES = {
    # 8 + 1: with the audiences of "I work as ..." and the provenance counts
    "home": 10,
    "about": 4,  # 3 + 1: with the provenance counts
    # Its practices (count, page, three relations), action points and their
    # practices, strategies (with audiences and practices), lessons, insights.
    "sector": 15,  # 13 + 1
    # One count more per list page since the composition facet (``with``).
    "practice list": 26,  # 25 + 1: with the provenance and maturity facets
    "practice list, 3 filters and q": 30,  # 28 + 1, PostgreSQL 29 + 1
    # 18 + 1: the action points drawn from it, its provenance meetings
    "practice detail": 20,
    "practice CSV": 12,  # 11: with the two provenance meeting relations
    "practice CSV, 3 filters and q": 16,  # 15, PostgreSQL 16
    "meetings": 7,  # 5 + 1: the count, the page, two facets
    "meeting CSV": 3,  # 2
    "lessons": 7,  # 5 + 1: their practices prefetched
    "lesson CSV": 3,  # 2: their practices prefetched
    "organisation CSV": 4,  # 3
    "meeting detail": 10,  # 8 + 1
    # One more than without links: the published practices each point draws on.
    "action points": 11,  # 9 + 1
    "action points, filtered": 14,  # 11 + 1, PostgreSQL 12 + 1
    "action point CSV": 3,  # 2
    # The count, the page, its practice counts, three facets.
    "organisations": 10,  # 8 + 1
    "organisation detail": 6,  # 4 + 1
    # 8 + 1: seven kinds of content; on PostgreSQL 2 more inside a test's
    # transaction, the planner setting set and put back (core.search.index_scans).
    "search": 12,
    "roles": 3,  # 2: the content version and the audiences with their counts
    # The audience, its action points and their practices, its practices (count,
    # page, their sectors), the sectors, the lessons (count, page), the strategies
    # (with audiences and practices).
    "role page": 15,  # 13 + 1
}


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        fetch(client, url)
    return len(context.captured_queries)


def test_every_page_runs_the_same_queries_for_3_and_30_rows(
    client, taxonomy, django_assert_max_num_queries
):
    # One corpus for every page: building 30 rows of everything is the slow part.
    corpus = Corpus(taxonomy)
    corpus.grow_to(SMALL)
    urls = {page: url(corpus) for page, url in PAGES.items()}
    for url in urls.values():
        fetch(client, url)  # warm per-process caches (content types) first
    small = {page: count_queries(client, url) for page, url in urls.items()}

    corpus.grow_to(LARGE)
    for url in urls.values():
        fetch(client, url)  # the edits moved the content version: warm again
    large = {}
    for page, url in urls.items():
        # Guards against N+1: a page's query count may not grow with its rows.
        with django_assert_max_num_queries(MAX_QUERIES[page], info=page):
            large[page] = count_queries(client, url)

    print({page: (small[page], large[page]) for page in urls})
    assert large == small
    filtered = fetch(client, urls["practice list, 3 filters and q"])
    assert filtered.context["result_count"] == LARGE + 1, "the filters select rows"
