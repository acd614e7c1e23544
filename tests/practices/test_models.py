"""The rules the database itself keeps, and how models name and place themselves.

Constraints are checked by saving straight to the database (no form, no ``full_clean``),
so they hold for the admin, the reference loader, a shell and any future API alike.
The partnership models are here too: they share the practice's rules of publication.
"""

import pytest
from django.db import IntegrityError, transaction

from practices.models import PracticePartner, Sector
from tests.factories import (
    ActionPointFactory,
    CountryFactory,
    InsightFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    PracticeSourceFactory,
    RegionFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def assert_rejected(create):
    # A savepoint, so that PostgreSQL's aborted transaction does not end the test.
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.parametrize(
    "make",
    [
        lambda slug: PracticeFactory(slug=slug),
        lambda slug: MeetingFactory(slug=slug),
        lambda slug: OrganisationFactory(slug=slug),
        # Not SectorFactory, which would get the existing sector rather than create.
        lambda slug: Sector.objects.create(
            name=f"Sector {Sector.objects.count()}",
            slug=slug,
            summary="Partnerships in this sector.",
            description="Why partnerships matter here.",
        ),
    ],
    ids=["practice", "meeting", "organisation", "sector"],
)
def test_two_rows_cannot_share_a_slug(make):
    first = make("shared-slug")

    assert_rejected(lambda: make("shared-slug"))
    assert type(first).objects.filter(slug="shared-slug").count() == 1


def test_practice_cannot_end_before_it_starts():
    assert_rejected(lambda: PracticeFactory(start_year=2019, end_year=2018))


def test_practice_may_start_and_end_in_the_same_year():
    practice = PracticeFactory(start_year=2019, end_year=2019)

    assert practice.years_display == "2019"


@pytest.mark.parametrize("field", ["start_year", "end_year"])
@pytest.mark.parametrize("year", [0, 1949, 2101, 9999])
def test_practice_years_outside_1950_to_2100_are_rejected(field, year):
    values = {"start_year": None, "end_year": None, field: year}

    assert_rejected(lambda: PracticeFactory(**values))


@pytest.mark.parametrize("year", [1950, 2100])
def test_practice_years_at_the_bounds_are_accepted(year):
    practice = PracticeFactory(start_year=year, end_year=year)

    practice.refresh_from_db()
    assert practice.start_year == practice.end_year == year


def test_a_year_change_that_breaks_the_rule_is_rejected_on_update_too():
    practice = PracticeFactory(start_year=2017, end_year=2020)

    assert_rejected(
        lambda: type(practice).objects.filter(pk=practice.pk).update(end_year=2010)
    )


def test_meeting_cannot_end_before_it_starts():
    assert_rejected(
        lambda: MeetingFactory(start_date="2021-06-23", end_date="2021-06-22")
    )


def test_meeting_may_have_an_end_without_a_published_start():
    meeting = MeetingFactory(start_date=None, end_date="2021-06-22")

    assert meeting.pk is not None


def test_an_organisation_is_a_partner_of_a_practice_only_once():
    organisation = OrganisationFactory()
    practice = PracticeFactory(partners=[(organisation, "lead")])

    assert_rejected(
        lambda: PracticePartner.objects.create(
            practice=practice, organisation=organisation, role="funder"
        )
    )
    assert practice.partners.count() == 1


def test_a_source_url_is_listed_once_per_practice():
    source = PracticeSourceFactory(url="https://example.org/annual-report")

    assert_rejected(
        lambda: PracticeSourceFactory(
            practice=source.practice, url="https://example.org/annual-report"
        )
    )


@pytest.mark.parametrize(
    ("make", "text", "path"),
    [
        (
            lambda: PracticeFactory(title="Banks Alliance", slug="banks-alliance"),
            "Banks Alliance",
            "/practices/banks-alliance/",
        ),
        (
            lambda: SectorFactory(name="Financial sector", slug="financial"),
            "Financial sector",
            "/sectors/financial/",
        ),
        (
            lambda: MeetingFactory(
                title="Regional Expert Group Meeting for Africa",
                short_title="Africa REGM",
                slug="regm-africa",
            ),
            "Africa REGM",
            "/meetings/regm-africa/",
        ),
        (
            lambda: OrganisationFactory(name="Polaris", slug="polaris"),
            "Polaris",
            "/organisations/polaris/",
        ),
    ],
    ids=["practice", "sector", "meeting", "organisation"],
)
def test_public_models_name_themselves_and_know_their_address(make, text, path):
    obj = make()

    assert str(obj) == text
    assert obj.get_absolute_url() == path


def test_meeting_without_short_title_is_named_by_its_title():
    meeting = MeetingFactory(title="Online consultation 2020", short_title="")

    assert str(meeting) == "Online consultation 2020"


def test_insight_links_to_its_place_on_the_meeting_page():
    insight = InsightFactory(
        meeting__slug="regm-asia-pacific", text="Trust grows from small exchanges."
    )

    assert str(insight) == "Trust grows from small exchanges."
    assert (
        insight.get_absolute_url()
        == f"/meetings/regm-asia-pacific/#insight-{insight.pk}"
    )


def test_action_point_links_to_its_place_in_the_action_point_list():
    point = ActionPointFactory(text="Publish red-flag indicators yearly.")

    assert str(point) == "Publish red-flag indicators yearly."
    assert point.get_absolute_url() == f"/action-points/#action-{point.pk}"


@pytest.mark.parametrize(
    "make",
    [
        lambda text: LessonLearnedFactory(text=text),
        lambda text: ActionPointFactory(text=text),
        lambda text: InsightFactory(text=text),
    ],
    ids=["lesson", "action-point", "insight"],
)
def test_long_texts_are_shortened_to_80_characters_in_their_name(make):
    obj = make("Partnerships " * 20)

    assert len(str(obj)) == 80
    assert str(obj).endswith("…")
    assert str(obj).startswith("Partnerships Partnerships")


def test_country_and_region_are_named_by_their_names(taxonomy):
    assert str(taxonomy["nigeria"]) == "Nigeria"
    assert str(taxonomy["sub_saharan"]) == "Sub-Saharan Africa"
    assert str(taxonomy["law_enforcement"]) == "Law enforcement"


def test_practice_partner_says_who_plays_which_role_where():
    organisation = OrganisationFactory(name="Western Union")
    practice = PracticeFactory(
        title="Banks Alliance", partners=[(organisation, "lead")]
    )

    assert str(practice.partners.get()) == "Western Union (Lead) in Banks Alliance"


def test_sync_regions_adds_the_country_sub_region_and_its_parent(taxonomy):
    practice = PracticeFactory(countries=[taxonomy["nigeria"]])

    practice.sync_regions()

    assert set(practice.regions.all()) == {taxonomy["sub_saharan"], taxonomy["africa"]}


def test_sync_regions_keeps_chosen_regions_and_adds_their_wider_regions(taxonomy):
    practice = PracticeFactory(
        countries=[taxonomy["canada"]], regions=[taxonomy["sub_saharan"]]
    )

    practice.sync_regions()

    assert set(practice.regions.all()) == {
        taxonomy["sub_saharan"],
        taxonomy["africa"],
        taxonomy["northern_america"],
        taxonomy["americas"],
    }


def test_sync_regions_twice_changes_nothing(taxonomy):
    practice = PracticeFactory(countries=[taxonomy["nigeria"], taxonomy["ivory_coast"]])

    practice.sync_regions()
    practice.sync_regions()

    assert practice.regions.count() == 2


def test_sync_regions_survives_a_loop_in_region_parents():
    first = RegionFactory(name="Loop A", slug="loop-a")
    second = RegionFactory(name="Loop B", slug="loop-b", parent=first)
    first.parent = second
    first.save()
    practice = PracticeFactory(countries=[CountryFactory(code="FR", region=first)])

    practice.sync_regions()

    assert set(practice.regions.all()) == {first, second}


@pytest.mark.parametrize(
    ("start_year", "end_year", "shown"),
    [
        (None, None, "Not published"),
        (2017, None, "2017 – ongoing"),
        (2017, 2017, "2017"),
        (2015, 2019, "2015 – 2019"),
    ],
)
def test_years_display_reads_well(start_year, end_year, shown):
    practice = PracticeFactory.build(start_year=start_year, end_year=end_year)

    assert practice.years_display == shown


def test_only_a_practice_with_a_start_and_no_end_is_ongoing():
    assert PracticeFactory.build(start_year=2017, end_year=None).is_ongoing
    assert not PracticeFactory.build(start_year=2017, end_year=2019).is_ongoing
    assert not PracticeFactory.build(start_year=None, end_year=None).is_ongoing


def test_place_display_names_up_to_three_countries(taxonomy):
    practice = PracticeFactory(countries=[taxonomy["canada"], taxonomy["nigeria"]])

    assert practice.place_display == "Canada, Nigeria"


def test_place_display_counts_the_countries_beyond_three(taxonomy):
    countries = [
        taxonomy["canada"],
        taxonomy["nigeria"],
        taxonomy["ivory_coast"],
        CountryFactory(code="GH", region=taxonomy["sub_saharan"]),
        CountryFactory(code="KE", region=taxonomy["sub_saharan"]),
    ]
    practice = PracticeFactory(countries=countries)

    shown = practice.place_display

    assert shown.endswith(" and 2 more")
    assert shown.count(",") == 2


def test_place_display_names_the_narrowest_regions_without_countries(taxonomy):
    practice = PracticeFactory(
        regions=[taxonomy["africa"], taxonomy["sub_saharan"], taxonomy["americas"]]
    )

    assert practice.place_display == "Americas, Sub-Saharan Africa"


def test_place_display_is_empty_for_a_practice_placed_nowhere():
    assert PracticeFactory().place_display == ""
