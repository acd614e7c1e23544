"""The gate: only published content, and nothing that hangs off a draft, is public.

``published()`` is the one door from public code to content; these tests pin what it
lets through, when ``published_at`` is stamped, and how staff preview drafts at the
public address while everyone else gets "page not found".
"""

import datetime as dt

import pytest
import time_machine

from core.models import Status
from partnerships.models import ActionPoint, Insight, Meeting
from practices.models import LessonLearned, Organisation, Practice
from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

HIDDEN = [Status.DRAFT, Status.REVIEW, Status.ARCHIVED]
PUBLISHABLE = [
    (PracticeFactory, Practice),
    (MeetingFactory, Meeting),
    (ActionPointFactory, ActionPoint),
    (LessonLearnedFactory, LessonLearned),
]
PUBLISHABLE_IDS = ["practice", "meeting", "action-point", "lesson"]


@pytest.mark.parametrize("status", HIDDEN)
@pytest.mark.parametrize(("factory", "model"), PUBLISHABLE, ids=PUBLISHABLE_IDS)
def test_unpublished_content_is_never_returned(factory, model, status):
    hidden = factory(status=status)
    shown = factory(published=True)

    public = set(model.objects.published())

    assert hidden not in public
    assert shown in public


@pytest.mark.parametrize(("factory", "model"), PUBLISHABLE, ids=PUBLISHABLE_IDS)
def test_published_is_a_filter_that_composes(factory, model):
    factory(status=Status.DRAFT)
    factory(published=True)

    assert model.objects.published().count() == 1
    assert model.objects.all().published().count() == 1
    assert model.objects.filter(status=Status.DRAFT).published().count() == 0


@pytest.mark.parametrize(
    ("factory", "model"),
    [*PUBLISHABLE, (OrganisationFactory, Organisation), (InsightFactory, Insight)],
    ids=[*PUBLISHABLE_IDS, "organisation", "insight"],
)
def test_published_and_unpublished_split_every_row(factory, model):
    # Facet counts leave out unpublished() instead of looking rows up in
    # published(): the two must never overlap nor miss a row.
    for status in [*HIDDEN, Status.PUBLISHED]:
        if model is Organisation:
            PracticeFactory(status=status, partners=[factory()])
            MeetingFactory(status=status).organisations.add(factory())
        elif model is Insight:
            factory(meeting=MeetingFactory(status=status))
        else:
            factory(status=status)
    if model is Organisation:
        factory()  # named by no content at all
        named_twice = factory()
        PracticeFactory(status=Status.DRAFT, partners=[named_twice])
        PracticeFactory(published=True, partners=[named_twice])
        MeetingFactory(status=Status.DRAFT).organisations.add(named_twice)
    if model is ActionPoint:
        for status in HIDDEN:
            factory(published=True, meeting=MeetingFactory(status=status))
        factory(published=True, meeting=None)
    if model is LessonLearned:
        for status in HIDDEN:
            factory(published=True, practice=PracticeFactory(status=status))

    published = set(model.objects.published().values_list("pk", flat=True))
    unpublished = set(model.objects.unpublished().values_list("pk", flat=True))

    assert published
    assert len(unpublished) >= len(HIDDEN)
    assert not published & unpublished
    assert published | unpublished == set(model.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("meeting_status", "is_public"),
    [(Status.DRAFT, False), (Status.REVIEW, False), (Status.PUBLISHED, True)],
)
def test_action_point_is_public_only_with_its_meeting(meeting_status, is_public):
    point = ActionPointFactory(
        published=True, meeting=MeetingFactory(status=meeting_status)
    )

    assert (point in ActionPoint.objects.published()) is is_public


def test_action_point_without_a_meeting_is_public_when_published():
    point = ActionPointFactory(published=True, meeting=None)

    assert point in ActionPoint.objects.published()


@pytest.mark.parametrize(
    ("practice_status", "is_public"),
    [(Status.DRAFT, False), (Status.ARCHIVED, False), (Status.PUBLISHED, True)],
)
def test_lesson_is_public_only_with_its_practice(practice_status, is_public):
    lesson = LessonLearnedFactory(
        published=True, practice=PracticeFactory(status=practice_status)
    )

    assert (lesson in LessonLearned.objects.published()) is is_public


def test_lesson_without_a_practice_is_public_when_published():
    lesson = LessonLearnedFactory(published=True, practice=None)

    assert lesson in LessonLearned.objects.published()


@pytest.mark.parametrize(
    ("meeting_status", "is_public"),
    [(Status.DRAFT, False), (Status.REVIEW, False), (Status.PUBLISHED, True)],
)
def test_insight_is_public_exactly_when_its_meeting_is(meeting_status, is_public):
    insight = InsightFactory(meeting=MeetingFactory(status=meeting_status))

    assert (insight in Insight.objects.published()) is is_public


def test_organisation_named_only_by_a_draft_practice_is_not_public():
    organisation = OrganisationFactory()
    PracticeFactory(status=Status.DRAFT, partners=[organisation])

    assert organisation not in Organisation.objects.published()


def test_organisation_named_only_by_a_draft_meeting_is_not_public():
    organisation = OrganisationFactory()
    MeetingFactory(status=Status.DRAFT).organisations.add(organisation)

    assert organisation not in Organisation.objects.published()


def test_organisation_named_by_no_content_is_not_public():
    assert OrganisationFactory() not in Organisation.objects.published()


def test_organisation_named_by_a_published_practice_is_public_once():
    organisation = OrganisationFactory()
    PracticeFactory(status=Status.DRAFT, partners=[organisation])
    PracticeFactory(published=True, partners=[organisation])
    PracticeFactory(published=True, partners=[organisation])

    assert list(Organisation.objects.published()) == [organisation]


def test_organisation_named_by_a_published_meeting_is_public():
    organisation = OrganisationFactory()
    MeetingFactory(published=True).organisations.add(organisation)

    assert organisation in Organisation.objects.published()


def test_organisation_page_of_a_draft_only_partner_is_not_found(client):
    organisation = OrganisationFactory(name="Hidden Partner Ltd")
    PracticeFactory(status=Status.DRAFT, partners=[organisation])

    assert client.get(organisation.get_absolute_url()).status_code == 404
    assert "Hidden Partner Ltd" not in client.get("/organisations/").text


def test_action_point_list_leaves_out_points_of_a_draft_meeting(client):
    ActionPointFactory(
        published=True,
        text="Secret draft recommendation.",
        meeting=MeetingFactory(status=Status.DRAFT),
    )
    ActionPointFactory(published=True, text="Public recommendation.")

    page = client.get("/action-points/").text

    assert "Public recommendation." in page
    assert "Secret draft recommendation." not in page


@pytest.mark.parametrize(("factory", "model"), PUBLISHABLE, ids=PUBLISHABLE_IDS)
def test_published_at_is_set_on_first_publish_and_kept_afterwards(factory, model):
    with time_machine.travel(dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        obj = factory(status=Status.DRAFT)
        assert obj.published_at is None
    with time_machine.travel(dt.datetime(2024, 4, 2, 9, tzinfo=dt.UTC), tick=False):
        obj.status = Status.PUBLISHED
        obj.save()
    first = dt.datetime(2024, 4, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC), tick=False):
        obj.save()
        obj.status = Status.DRAFT
        obj.save()
        obj.status = Status.PUBLISHED
        obj.save()

    obj.refresh_from_db()
    assert obj.published_at == first


def test_published_at_is_stored_when_saving_only_the_status():
    practice = PracticeFactory(status=Status.REVIEW)

    practice.status = Status.PUBLISHED
    practice.save(update_fields=["status"])

    practice.refresh_from_db()
    assert practice.published_at is not None


def test_content_created_as_published_gets_published_at():
    assert PracticeFactory(published=True).published_at is not None


# Draft preview at the public address.

PREVIEWABLE = [
    pytest.param(PracticeFactory, id="practice"),
    pytest.param(MeetingFactory, id="meeting"),
]


def _banner(response):
    return 'class="draft-banner"' in response.text


@pytest.mark.parametrize("factory", PREVIEWABLE)
@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_staff_preview_an_unpublished_page_with_a_banner(
    client, editor, factory, status
):
    obj = factory(status=status)
    client.force_login(editor)

    response = client.get(obj.get_absolute_url())

    assert response.status_code == 200
    assert _banner(response)
    assert f"<strong>{obj.get_status_display()}</strong>" in response.text
    # A preview must never be stored by a shared cache.
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("factory", PREVIEWABLE)
def test_draft_banner_says_draft(client, publisher, factory):
    obj = factory(status=Status.DRAFT)
    client.force_login(publisher)

    response = client.get(obj.get_absolute_url())

    assert "<strong>Draft</strong>" in response.text


@pytest.mark.parametrize("factory", PREVIEWABLE)
@pytest.mark.parametrize("status", HIDDEN)
def test_anonymous_visitors_get_not_found_for_unpublished_pages(
    client, factory, status
):
    obj = factory(status=status, title="Confidential draft title")

    response = client.get(obj.get_absolute_url())

    assert response.status_code == 404
    assert "Confidential draft title" not in response.text


@pytest.mark.parametrize("factory", PREVIEWABLE)
def test_signed_in_non_staff_users_get_not_found_for_drafts(
    client, django_user_model, factory
):
    user = django_user_model.objects.create_user(
        username="reader", password="correct horse battery staple"
    )
    client.force_login(user)
    obj = factory(status=Status.DRAFT)

    assert client.get(obj.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("factory", PREVIEWABLE)
def test_inactive_staff_get_not_found_for_drafts(client, editor, factory):
    client.force_login(editor)
    editor.is_active = False
    editor.save()
    obj = factory(status=Status.DRAFT)

    assert client.get(obj.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("factory", PREVIEWABLE)
@pytest.mark.parametrize("as_staff", [False, True], ids=["anonymous", "staff"])
def test_published_pages_show_no_banner(client, editor, factory, as_staff):
    obj = factory(published=True)
    if as_staff:
        client.force_login(editor)

    response = client.get(obj.get_absolute_url())

    assert response.status_code == 200
    assert not _banner(response)


def test_draft_preview_hides_the_draft_relations_it_shows(client, editor):
    # Staff preview a draft meeting; the draft practice it names stays hidden even so.
    meeting = MeetingFactory(status=Status.DRAFT)
    meeting.practices.add(
        PracticeFactory(status=Status.DRAFT, title="Unreleased partnership")
    )
    client.force_login(editor)

    response = client.get(meeting.get_absolute_url())

    assert response.status_code == 200
    assert "Unreleased partnership" not in response.text
