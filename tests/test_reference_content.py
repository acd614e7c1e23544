"""The reference content in fixtures/reference loads, reloads cleanly, meets the brief.

Loading takes seconds, so the module loads it once inside a transaction of its own
that is rolled back at the end; every test still runs in its own savepoint.
"""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse

from core.models import Status
from partnerships.models import ActionPoint, Meeting
from practices.models import Audience, LessonLearned, Organisation, Practice, Sector

pytestmark = pytest.mark.django_db

COUNTED_APPS = {"practices", "partnerships", "taggit"}


@pytest.fixture(scope="module")
def load_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        output = StringIO()
        call_command("load_reference", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def row_counts():
    """Rows of every model of ours and taggit's, many-to-many tables included."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in COUNTED_APPS
    }


def test_reference_content_loads_and_reports_what_it_loaded(load_output):
    assert "Reference content loaded: 3 sectors" in load_output
    assert Practice.objects.exists()


def test_loading_a_second_time_duplicates_and_changes_nothing(load_output):
    before = row_counts()
    identities = {
        model: set(model.objects.values_list("pk", flat=True))
        for model in (Practice, Meeting, Organisation, ActionPoint, LessonLearned)
    }
    published_at = dict(Practice.objects.values_list("slug", "published_at"))
    output = StringIO()

    call_command("load_reference", stdout=output)

    assert "Rows: 0 created, 0 updated, 0 overwritten, 0 skipped" in output.getvalue()

    after = row_counts()
    assert after == before
    for label in (
        "taggit.TaggedItem",
        "practices.PracticePartner",
        "practices.PracticeSource",
        "partnerships.Insight",
        "partnerships.MeetingSource",
    ):
        assert after[label] > 0, label
    # Rows are updated in place, not deleted and made again under new ids...
    for model, pks in identities.items():
        assert set(model.objects.values_list("pk", flat=True)) == pks
    # ...and a practice keeps the date it was first published.
    assert dict(Practice.objects.values_list("slug", "published_at")) == published_at


def test_an_edited_reference_practice_is_kept_on_reload_and_reported(load_output):
    practice = Practice.objects.get(slug="issara-worker-voice")
    practice.summary = "An editor's summary."
    practice.status = Status.ARCHIVED
    practice.save()
    practice.tags.set(["an editor's tag"])
    practice.partners.all().delete()
    practice.sources.update(title="An editor's title")
    output = StringIO()

    call_command("load_reference", stdout=output)

    practice.refresh_from_db()
    assert practice.summary == "An editor's summary."
    assert practice.status == Status.ARCHIVED
    assert list(practice.tags.names()) == ["an editor's tag"]
    assert not practice.partners.exists()
    assert set(practice.sources.values_list("title", flat=True)) == {
        "An editor's title"
    }
    assert (
        "skipped practices.practice 'issara-worker-voice': edited since it was "
        "loaded: summary, tags, partners, sources; --overwrite replaces it"
    ) in output.getvalue()
    assert ", 1 skipped," in output.getvalue()


def test_all_reference_content_is_published(load_output):
    for model in (Practice, Meeting, ActionPoint, LessonLearned):
        assert model.objects.exclude(status=Status.PUBLISHED).count() == 0, model


def test_there_are_three_sectors(load_output):
    assert set(Sector.objects.values_list("slug", flat=True)) == {
        "supply-chain",
        "financial",
        "technology",
    }


def test_at_least_30_practices_and_10_in_every_sector(load_output):
    per_sector = dict(
        Sector.objects.annotate(
            n=Count("practices", filter=Q(practices__status=Status.PUBLISHED))
        ).values_list("slug", "n")
    )

    assert Practice.objects.published().count() >= 30
    assert all(count >= 10 for count in per_sector.values()), per_sector


def test_four_regms_and_the_2020_consultation(load_output):
    meetings = Meeting.objects.published()

    assert meetings.filter(kind=Meeting.Kind.REGM).count() == 4
    consultation = meetings.get(kind=Meeting.Kind.CONSULTATION)
    assert "2020" in f"{consultation.short_title} {consultation.date_note}"


def test_at_least_30_action_points_covering_every_audience(load_output):
    points = ActionPoint.objects.published()

    assert points.count() >= 30
    assert set(points.values_list("audience__slug", flat=True)) == set(
        Audience.objects.values_list("slug", flat=True)
    )


def test_at_least_15_lessons_learned(load_output):
    assert LessonLearned.objects.published().count() >= 15


def test_every_practice_has_a_source_url_and_a_partner(load_output):
    without_source = Practice.objects.filter(sources=None)
    without_partner = Practice.objects.filter(partners=None)
    blank_source = Practice.objects.filter(sources__url="")

    assert list(without_source.values_list("slug", flat=True)) == []
    assert list(without_partner.values_list("slug", flat=True)) == []
    assert list(blank_source.values_list("slug", flat=True)) == []


def test_no_practice_lacks_a_kind_or_a_sector(load_output):
    assert not Practice.objects.filter(kind__isnull=True).exists()
    assert (
        list(Practice.objects.filter(sectors=None).values_list("slug", flat=True)) == []
    )


def test_every_practice_is_placed_somewhere(load_output):
    # Countries imply regions on load; a practice with neither has no place to show.
    unplaced = Practice.objects.filter(regions=None).values_list("slug", flat=True)

    assert list(unplaced) == []


def test_south_eastern_europe_regm_publishes_no_date_and_no_count(client, load_output):
    meeting = Meeting.objects.get(
        kind=Meeting.Kind.REGM, title__icontains="South-Eastern Europe"
    )

    page = client.get(meeting.get_absolute_url())

    assert meeting.start_date is None
    assert meeting.participants_count is None
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert re.search(r"<dt>Dates</dt>\s*<dd>Not published", text)
    assert re.search(r"<dt>Participants</dt>\s*<dd>Not published", text)


def test_every_reference_page_renders(client, load_output):
    urls = [obj.get_absolute_url() for obj in Practice.objects.all()]
    urls += [obj.get_absolute_url() for obj in Meeting.objects.all()]
    urls += [obj.get_absolute_url() for obj in Sector.objects.all()]

    failures = {url: client.get(url).status_code for url in urls}

    assert {url: code for url, code in failures.items() if code != 200} == {}


def _action_point_items(html):
    """{action point pk: the hrefs inside its item} of an action-point list page."""
    items = re.findall(r'<li id="action-(\d+)"(.*?)</li>', html, flags=re.DOTALL)
    return {int(pk): set(re.findall(r'href="([^"]+)"', body)) for pk, body in items}


def test_each_action_point_links_to_its_practices_and_meeting_and_back(
    client, load_output
):
    url = reverse("partnerships:action_point_list")
    listed, page = {}, 1
    while True:
        response = client.get(url, {"page": page})
        listed.update(_action_point_items(response.text))
        if not response.context["page_obj"].has_next():
            break
        page += 1
    points = ActionPoint.objects.published().prefetch_related("practices")
    assert set(listed) == {point.pk for point in points}

    followed = 0
    for point in points.select_related("meeting"):
        targets = {practice.get_absolute_url() for practice in point.practices.all()}
        if point.meeting:
            targets.add(point.meeting.get_absolute_url())
        # The list links each practice it draws on and its meeting...
        assert targets <= listed[point.pk], point.text
        for target in targets:
            page = client.get(target)
            # ...and each of those pages leads back to the action point.
            assert page.status_code == 200, target
            assert f'href="{point.get_absolute_url()}"' in page.text, target
            followed += 1
    assert followed == 72 + 4  # the links the reference content records


def test_action_point_links_rest_on_the_reference_facts(load_output):
    links = ActionPoint.practices.through.objects
    assert links.count() == 72
    assert (
        sorted(
            ActionPoint.objects.filter(meeting__isnull=False).values_list(
                "meeting__slug", flat=True
            )
        )
        == ["consultation-2020"] * 4
    )
    # A point that names no practice in the portal says what it draws on instead.
    assert not ActionPoint.objects.filter(practices=None, derived_note="").exclude(
        meeting__isnull=False
    )
    # The Technology Coalition's Project Protect is not Canada's Project Protect.
    point = ActionPoint.objects.get(text__startswith="Publish regular transparency")
    assert list(point.practices.values_list("slug", flat=True)) == [
        "tech-coalition-project-protect"
    ]
