"""Deleting or archiving a parent never makes its children public.

An action point or a lesson without a parent is public by its own status, so a child
detached from a deleted draft parent would go public. Such parents are protected
(PROTECT): the admin refuses the delete, says why and lists the children; children
that exist only with their parent (insights, sources, partners, tags) are deleted with
it, and the confirmation lists them. Every delete runs through the admin, as a
publisher runs it, and afterwards every public page, export and API answer is read for
a trace of the children.

Every child carries the word "Quetzalite" (capitalised); searches use the lower-case
word, so a page that repeats the query back is not mistaken for a leak.
"""

import io

import openpyxl
import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from core.models import Status
from partnerships.models import ActionPoint, Insight, Meeting, MeetingSource
from practices.models import LessonLearned, Organisation, Practice, PracticePartner
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

MARK = "Quetzalite"

LISTS = [
    ("practices:list", "practices:export"),
    ("partnerships:action_point_list", "partnerships:action_point_export"),
    ("partnerships:meeting_list", "partnerships:meeting_export"),
    ("practices:lesson_list", "practices:lesson_export"),
    ("practices:organisation_list", "practices:organisation_export"),
]
API_LISTS = [
    "api:practice_list",
    "api:action_point_list",
    "api:meeting_list",
    "api:lesson_list",
    "api:organisation_list",
]


def _text(response):
    if response.streaming:
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument"
    ):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        return "\n".join(
            str(cell) for row in sheet.iter_rows(values_only=True) for cell in row
        )
    return data.decode("utf-8")


def public_answers(client):
    """Every public page, export (CSV and XLSX) and API list, plain and searched."""
    urls = [reverse("home"), reverse("search") + "?q=quetzalite"]
    for page, export in LISTS:
        for name in (page, export, f"{export}_xlsx"):
            urls += [reverse(name), reverse(name) + "?q=quetzalite"]
    for name in API_LISTS:
        urls += [reverse(name), reverse(name) + "?q=quetzalite"]
    urls += [
        meeting.get_absolute_url()
        for meeting in Meeting.objects.filter(status=Status.PUBLISHED)
    ]
    urls += [
        practice.get_absolute_url()
        for practice in Practice.objects.filter(status=Status.PUBLISHED)
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, _text(response)


def assert_nothing_public(client):
    client.logout()
    leaks = [url for url, text in public_answers(client) if MARK in text]
    assert leaks == []


@pytest.fixture
def neighbours():
    """Published content around the deleted one, so the pages have rows to show."""
    meeting = MeetingFactory(published=True, title="Africa REGM", slug="africa-regm")
    practice = PracticeFactory(published=True, title="Bank red flags")
    meeting.practices.add(practice)
    ActionPointFactory(published=True, meeting=meeting, text="Ask for typologies.")
    LessonLearnedFactory(published=True, practice=practice, text="Start small.")
    return {"meeting": meeting, "practice": practice}


def delete_through_admin(client, obj, how):
    """A confirmed delete: through the object's delete page or the bulk action."""
    opts = obj._meta
    if how == "page":
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        confirmation = client.get(url)
        done = client.post(url, {"post": "yes"})
    else:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        chosen = {"action": "delete_selected", "_selected_action": [obj.pk]}
        confirmation = client.post(url, chosen)
        done = client.post(url, {**chosen, "post": "yes"})
    return confirmation, done


# Protected parents: the children would be public on their own -------------------


def meeting_with_action_point(status):
    meeting = MeetingFactory(status=status, title=f"{MARK} meeting")
    point = ActionPointFactory(
        published=True, meeting=meeting, text=f"{MARK} action point for banks."
    )
    return meeting, point


def practice_with_lesson(status):
    practice = PracticeFactory(status=status, title=f"{MARK} practice")
    lesson = LessonLearnedFactory(
        published=True, practice=practice, text=f"{MARK} lesson about banks."
    )
    return practice, lesson


PROTECTED = [meeting_with_action_point, practice_with_lesson]


@pytest.mark.parametrize("how", ["page", "bulk"])
@pytest.mark.parametrize("make", PROTECTED, ids=["meeting", "practice"])
@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
def test_deleting_a_hidden_parent_is_refused_and_publishes_nothing(
    client, publisher, neighbours, make, status, how
):
    parent, child = make(status)
    client.force_login(publisher)

    confirmation, done = delete_through_admin(client, parent, how)

    for response in (confirmation, done):
        assert response.status_code == 200
        assert "Nothing was deleted" in response.text
        assert "protected related objects" in response.text
        assert child.text in response.text
        assert "Yes, I’m sure" not in response.text
    assert type(parent).objects.filter(pk=parent.pk).exists()
    child.refresh_from_db()
    assert child.status == Status.PUBLISHED
    assert type(child).objects.published().filter(pk=child.pk).exists() is False
    assert_nothing_public(client)


@pytest.mark.parametrize("make", PROTECTED, ids=["meeting", "practice"])
def test_deleting_a_published_parent_is_refused_too(client, publisher, make):
    parent, child = make(Status.PUBLISHED)
    client.force_login(publisher)

    _, done = delete_through_admin(client, parent, "page")

    assert "Nothing was deleted" in done.text
    assert type(parent).objects.filter(pk=parent.pk).exists()
    child.refresh_from_db()
    assert parent in (getattr(child, "meeting", None), getattr(child, "practice", None))


@pytest.mark.parametrize("make", PROTECTED, ids=["meeting", "practice"])
def test_the_parent_deletes_once_its_children_are_gone(
    client, publisher, neighbours, make
):
    parent, child = make(Status.DRAFT)
    client.force_login(publisher)

    _, child_done = delete_through_admin(client, child, "bulk")
    _, parent_done = delete_through_admin(client, parent, "page")

    assert child_done.status_code == parent_done.status_code == 302
    assert not type(child).objects.filter(pk=child.pk).exists()
    assert not type(parent).objects.filter(pk=parent.pk).exists()
    assert_nothing_public(client)


@pytest.mark.parametrize(
    ("make", "field"),
    [(meeting_with_action_point, "meeting"), (practice_with_lesson, "practice")],
    ids=["meeting", "practice"],
)
def test_a_delete_outside_the_admin_is_refused_with_the_relation_named(make, field):
    parent, child = make(Status.DRAFT)

    with pytest.raises(ProtectedError) as refused:
        parent.delete()

    assert f"{type(child).__name__}.{field}" in str(refused.value)
    assert child in refused.value.protected_objects


# Children that live and die with their parent ------------------------------------


@pytest.mark.parametrize("how", ["page", "bulk"])
def test_deleting_a_draft_meeting_lists_and_deletes_its_insights_and_sources(
    client, publisher, neighbours, how
):
    meeting = MeetingFactory(title=f"{MARK} meeting", short_title=f"{MARK} REGM")
    insight = InsightFactory(meeting=meeting, text=f"{MARK} insight about banks.")
    source = MeetingSource.objects.create(
        meeting=meeting, title=f"{MARK} report", url="https://example.org/q"
    )
    meeting.organisations.add(OrganisationFactory(name=f"{MARK} Chamber"))
    client.force_login(publisher)

    confirmation, done = delete_through_admin(client, meeting, how)

    assert confirmation.status_code == 200
    assert insight.text in confirmation.text
    assert source.title in confirmation.text
    assert done.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not Insight.objects.filter(pk=insight.pk).exists()
    assert not MeetingSource.objects.filter(pk=source.pk).exists()
    assert_nothing_public(client)


@pytest.mark.parametrize("how", ["page", "bulk"])
def test_deleting_a_draft_practice_lists_and_deletes_its_partners_sources_and_tags(
    client, publisher, neighbours, how
):
    organisation = OrganisationFactory(name=f"{MARK} Holdings")
    practice = PracticeFactory(
        title=f"{MARK} practice",
        summary=f"{MARK} summary about banks.",
        partners=[organisation],
        tags=[f"{MARK} tag"],
    )
    source = PracticeSourceFactory(practice=practice, title=f"{MARK} annual report")
    neighbours["meeting"].practices.add(practice)
    client.force_login(publisher)

    confirmation, done = delete_through_admin(client, practice, how)

    assert confirmation.status_code == 200
    for listed in (f"{MARK} Holdings", source.title, f"{MARK} tag"):
        assert listed in confirmation.text
    assert done.status_code == 302
    assert not Practice.objects.filter(pk=practice.pk).exists()
    assert not PracticePartner.objects.filter(organisation=organisation).exists()
    # The organisation stays for editors, named by nothing public.
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    client.logout()
    assert client.get(organisation.get_absolute_url()).status_code == 404
    assert_nothing_public(client)


# Archiving a parent hides its children -------------------------------------------


@pytest.mark.parametrize("action", ["archive", "unpublish"])
def test_archiving_or_unpublishing_a_meeting_hides_its_children(
    client, publisher, neighbours, action
):
    meeting, point = meeting_with_action_point(Status.PUBLISHED)
    InsightFactory(meeting=meeting, text=f"{MARK} insight.")
    client.force_login(publisher)
    assert client.get(meeting.get_absolute_url()).status_code == 200

    response = client.post(
        reverse("admin:partnerships_meeting_changelist"),
        {"action": action, "_selected_action": [meeting.pk]},
    )

    assert response.status_code == 302
    assert not ActionPoint.objects.published().filter(pk=point.pk).exists()
    assert_nothing_public(client)


@pytest.mark.parametrize("action", ["archive", "unpublish"])
def test_archiving_or_unpublishing_a_practice_hides_its_lessons(
    client, publisher, neighbours, action
):
    practice, lesson = practice_with_lesson(Status.PUBLISHED)
    client.force_login(publisher)

    response = client.post(
        reverse("admin:practices_practice_changelist"),
        {"action": action, "_selected_action": [practice.pk]},
    )

    assert response.status_code == 302
    assert not LessonLearned.objects.published().filter(pk=lesson.pk).exists()
    assert_nothing_public(client)


def test_the_sweep_sees_published_children(client, neighbours):
    # Guards the sweep itself: a published child with the mark is found by it.
    meeting_with_action_point(Status.PUBLISHED)

    found = [url for url, text in public_answers(client) if MARK in text]

    assert reverse("partnerships:action_point_export") in found
    assert reverse("partnerships:action_point_export_xlsx") in found
    assert reverse("api:action_point_list") in found
    assert reverse("partnerships:action_point_list") in found


# A practice an action point draws on: a link, not a parent -----------------------


@pytest.mark.parametrize("how", ["page", "bulk"])
def test_deleting_a_draft_practice_an_action_point_draws_on_only_unlinks_it(
    client, publisher, neighbours, how
):
    practice = PracticeFactory(
        title=f"{MARK} practice", summary=f"{MARK} summary about banks."
    )
    point = ActionPointFactory(published=True, text="Flag payments to agencies.")
    point.practices.add(practice, neighbours["practice"])
    # While a draft, the linked practice is already shown nowhere.
    assert_nothing_public(client)
    client.force_login(publisher)

    _confirmation, done = delete_through_admin(client, practice, how)

    assert done.status_code == 302
    assert not Practice.objects.filter(pk=practice.pk).exists()
    assert list(point.practices.all()) == [neighbours["practice"]]
    assert ActionPoint.objects.published().filter(pk=point.pk).exists()
    assert_nothing_public(client)


@pytest.mark.parametrize("action", ["archive", "unpublish"])
def test_archiving_or_unpublishing_a_practice_hides_it_from_action_points(
    client, publisher, neighbours, action
):
    practice = PracticeFactory(published=True, title=f"{MARK} practice")
    point = ActionPointFactory(published=True, text="Flag payments to agencies.")
    point.practices.add(practice)
    found = [url for url, text in public_answers(client) if MARK in text]
    assert reverse("partnerships:action_point_list") in found
    client.force_login(publisher)

    response = client.post(
        reverse("admin:practices_practice_changelist"),
        {"action": action, "_selected_action": [practice.pk]},
    )

    assert response.status_code == 302
    # The point stays public by its own status; only the link is no longer shown.
    assert ActionPoint.objects.published().filter(pk=point.pk).exists()
    assert_nothing_public(client)
