"""Content for the API tests: lists longer than a page, differing on every facet,
with drafts beside them that match every filter."""

import random

import pytest

from core.listing.views import PAGE_SIZE
from core.models import Status
from practices.models import OrganisationType
from tests.factories import (
    ActionPointFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
)
from tests.test_hostile_input import site as hostile_site  # noqa: F401

# The drafts of tests/test_publication.py and tests/test_hostile_input.py, for the API's
# own properties (test_properties.py).
from tests.test_publication import content as drafts  # noqa: F401

ACTION_POINT_PAGE = 50


@pytest.fixture
def practices(taxonomy):
    """More than two pages of published practices, in an order no field gives away."""
    t = taxonomy
    rng = random.Random(11)
    sectors = [t["supply"], t["financial"], t["technology"]]
    countries = [t["canada"], t["nigeria"], t["ivory_coast"]]
    organisations = [
        OrganisationFactory(name="Helpline NGO", type=OrganisationType.NGO),
        OrganisationFactory(
            name="National FIU", type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
        ),
        OrganisationFactory(name="Retail Group", type=OrganisationType.PRIVATE_COMPANY),
    ]
    created = []
    for n in range(2 * PAGE_SIZE + 7):
        word = "cocoa" if n % 3 else "cotton"
        practice = PracticeFactory(
            published=True,
            slug=f"practice-{n:02d}",
            title=f"{rng.choice(['Cocoa', 'Trade', 'cotton', 'Éclair'])} "
            f"{rng.choice(['alpha', 'Bravo', 'charlie'])} {n:02d}",
            summary=f"Growers of {word} report abuse.",
            sectors=rng.sample(sectors, rng.randint(1, 2)),
            countries=rng.sample(countries, rng.randint(0, 2)),
            stages=rng.sample([t["recruitment"], t["financial_flows"]], 1),
            audiences=rng.sample([t["law_enforcement"], t["labour_inspectors"]], 1),
            kind=rng.choice([t["tool"], t["fi_partnership"]]),
            tags=rng.sample(["cocoa", "banks", "apps", "audits"], rng.randint(0, 2)),
            partners=rng.sample(organisations, rng.randint(0, 2)),
            start_year=rng.choice([None, 2008, 2012, 2015, 2015, 2019, 2021]),
        )
        practice.sync_regions()
        created.append(practice)
    PracticeFactory(
        slug="draft-practice",
        title="Draft cocoa practice",
        summary="Growers of cocoa and cotton report abuse.",
        sectors=sectors,
        countries=countries,
        kind=t["tool"],
        tags=["cocoa", "draft only"],
        partners=organisations,
        start_year=2015,
    )
    return created


@pytest.fixture
def action_points(taxonomy):
    """More than a page of published action points, and hidden ones among them."""
    t = taxonomy
    rng = random.Random(5)
    meetings = [
        MeetingFactory(published=True, slug="africa-regm", short_title="Africa REGM"),
        MeetingFactory(published=True, slug="asia-regm", short_title="Asia REGM"),
    ]
    draft_meeting = MeetingFactory(slug="hidden-regm", short_title="Hidden REGM")
    created = []
    for n in range(ACTION_POINT_PAGE + 9):
        created.append(
            ActionPointFactory(
                published=True,
                text=f"{rng.choice(['Trace cocoa', 'Share typologies', 'Audit'])} "
                f"with partners ({n}).",
                audience=rng.choice([t["law_enforcement"], t["labour_inspectors"]]),
                sector=rng.choice([t["financial"], t["supply"], None]),
                meeting=rng.choice([*meetings, None]),
                order=rng.randint(0, 5),
            )
        )
    ActionPointFactory(
        status=Status.REVIEW,
        text="Trace cocoa in review.",
        audience=t["law_enforcement"],
    )
    ActionPointFactory(
        published=True,
        text="Trace cocoa at a hidden meeting.",
        audience=t["law_enforcement"],
        meeting=draft_meeting,
    )
    return created
