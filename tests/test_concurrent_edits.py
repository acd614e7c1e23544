"""Two editors on one item: a save from a stale form is refused, never lost silently.

Each editor has a session of their own (two Django test clients) and posts back what
the admin rendered for them, as a browser would.
"""

import pytest
from django.test import Client

from core.models import Status
from partnerships.models import ActionPoint, Meeting
from practices.models import Practice
from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    MeetingFactory,
    PracticeFactory,
    PracticeSourceFactory,
)
from tests.test_admin import (
    PUBLISHABLE,
    admin_url,
    form_errors,
    form_name,
    post_action,
    rendered_form_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_editor(django_user_model, editor):
    other = django_user_model.objects.create_user(
        username="second-editor", password="another horse battery", is_staff=True
    )
    other.groups.set(editor.groups.all())
    return other


@pytest.fixture
def two_sessions(editor, second_editor):
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(second_editor)
    return first, second


def errors_text(response):
    return str(response.context["adminform"].form.non_field_errors())


def test_second_save_from_a_stale_form_is_refused_and_shows_what_changed(
    two_sessions, taxonomy
):
    first, second = two_sessions
    practice = PracticeFactory(
        summary="The original summary.", description="The original description."
    )
    url = admin_url(Practice, "change", practice.pk)
    first_form = rendered_form_data(first.get(url))
    second_form = rendered_form_data(second.get(url))

    saved = first.post(
        url, {**first_form, "summary_en_gb": "A new summary by the first."}
    )
    assert saved.status_code == 302, form_errors(saved)
    stale = second.post(
        url, {**second_form, "description_en_gb": "A new description by the second."}
    )

    assert stale.status_code == 200
    practice.refresh_from_db()
    assert practice.summary == "A new summary by the first."
    assert practice.description == "The original description."
    message = errors_text(stale)
    assert "Someone else saved this item after you opened it" in message
    assert "Summary" in message
    assert "A new summary by the first." in message  # what is saved now
    assert "The original summary." in message  # what the stale form still holds
    assert "Description" not in message  # it did not change meanwhile
    # The second editor's input is still in the form.
    assert "A new description by the second." in stale.text


def test_saving_again_after_the_refusal_is_a_deliberate_overwrite(
    two_sessions, taxonomy
):
    first, second = two_sessions
    practice = PracticeFactory(summary="The original summary.")
    url = admin_url(Practice, "change", practice.pk)
    second_form = rendered_form_data(second.get(url))
    first_form = rendered_form_data(first.get(url))
    first.post(url, {**first_form, "summary_en_gb": "The first editor's summary."})
    refused = second.post(
        url, {**second_form, "summary_en_gb": "The second's summary."}
    )
    assert refused.status_code == 200

    again = second.post(url, rendered_form_data(refused))

    assert again.status_code == 302, form_errors(again)
    practice.refresh_from_db()
    assert practice.summary == "The second's summary."


@pytest.mark.parametrize("kind", list(PUBLISHABLE))
def test_every_publishable_model_refuses_a_stale_form(two_sessions, taxonomy, kind):
    model, factory, field = PUBLISHABLE[kind]
    obj = factory(status=Status.DRAFT)
    first, second = two_sessions
    url = admin_url(model, "change", obj.pk)
    first_form = rendered_form_data(first.get(url))
    second_form = rendered_form_data(second.get(url))

    saved = first.post(url, {**first_form, form_name(model, field): "Saved first"})
    stale = second.post(
        url, {**second_form, form_name(model, field): "Saved second, from stale"}
    )

    assert saved.status_code == 302, form_errors(saved)
    assert stale.status_code == 200
    assert "Saved first" in errors_text(stale)
    obj.refresh_from_db()
    assert getattr(obj, field) == "Saved first"


def test_a_source_added_meanwhile_makes_the_practice_form_stale(two_sessions, taxonomy):
    first, second = two_sessions
    practice = PracticeFactory(description="Before.")
    url = admin_url(Practice, "change", practice.pk)
    second_form = rendered_form_data(second.get(url))
    first_form = rendered_form_data(first.get(url))

    added = first.post(
        url,
        {
            **first_form,
            "sources-0-title": "Audit report 2023",
            "sources-0-url": "https://example.org/audit-2023",
        },
    )
    assert added.status_code == 302, form_errors(added)
    stale = second.post(url, {**second_form, "description_en_gb": "After, from stale."})

    assert stale.status_code == 200
    message = errors_text(stale)
    assert "Sources" in message
    assert "Audit report 2023" in message
    practice.refresh_from_db()
    assert practice.description == "Before."
    assert practice.sources.get().title == "Audit report 2023"


def test_a_stale_form_does_not_undo_a_source_edited_meanwhile(two_sessions, taxonomy):
    first, second = two_sessions
    practice = PracticeFactory()
    source = PracticeSourceFactory(practice=practice, title="Old title")
    url = admin_url(Practice, "change", practice.pk)
    second_form = rendered_form_data(second.get(url))
    first_form = rendered_form_data(first.get(url))

    first.post(url, {**first_form, "sources-0-title": "Corrected title"})
    stale = second.post(url, second_form)

    assert stale.status_code == 200
    assert "Corrected title" in errors_text(stale)
    source.refresh_from_db()
    assert source.title == "Corrected title"


def test_an_insight_added_meanwhile_makes_the_meeting_form_stale(
    two_sessions, taxonomy
):
    first, second = two_sessions
    meeting = MeetingFactory()
    InsightFactory(meeting=meeting, text="The first insight.")
    url = admin_url(Meeting, "change", meeting.pk)
    second_form = rendered_form_data(second.get(url))
    first_form = rendered_form_data(first.get(url))
    added = first.post(
        url, {**first_form, "insights-1-text_en_gb": "An insight added meanwhile."}
    )
    assert added.status_code == 302, form_errors(added)

    stale = second.post(url, {**second_form, "summary_en_gb": "Changed from stale."})

    assert stale.status_code == 200
    assert "An insight added meanwhile." in errors_text(stale)
    assert meeting.insights.count() == 2


def test_a_bulk_publish_meanwhile_makes_an_open_form_stale_and_still_works(
    client, editor, publisher, taxonomy
):
    practice = PracticeFactory(status=Status.REVIEW, summary="Reviewed summary.")
    url = admin_url(Practice, "change", practice.pk)
    client.force_login(editor)
    editor_form = rendered_form_data(client.get(url))
    publishing = Client()
    publishing.force_login(publisher)

    published = post_action(publishing, Practice, "publish", [practice])
    stale = client.post(url, {**editor_form, "summary_en_gb": "Edited after review."})

    assert published.status_code == 302
    practice.refresh_from_db()
    assert practice.status == Status.PUBLISHED
    assert practice.summary == "Reviewed summary."
    # Published content is no longer the editor's to change at all.
    assert stale.status_code in {200, 403}


def test_a_publishers_stale_form_after_a_bulk_action_is_refused(publisher, taxonomy):
    first, second = Client(), Client()
    first.force_login(publisher)
    second.force_login(publisher)
    practice = PracticeFactory(status=Status.PUBLISHED)
    url = admin_url(Practice, "change", practice.pk)
    form = rendered_form_data(first.get(url))

    unpublished = post_action(second, Practice, "unpublish", [practice])
    stale = first.post(url, form)  # still says "published"

    assert unpublished.status_code == 302
    assert stale.status_code == 200
    assert "Status" in errors_text(stale)
    practice.refresh_from_db()
    assert practice.status == Status.DRAFT


def test_a_save_outside_the_admin_counts_as_a_change(two_sessions, taxonomy):
    first, _ = two_sessions
    practice = PracticeFactory(title="Before")
    url = admin_url(Practice, "change", practice.pk)
    form = rendered_form_data(first.get(url))
    practice.title = "Changed by a script"
    practice.save()

    stale = first.post(url, {**form, "summary_en_gb": "From the stale form."})

    assert stale.status_code == 200
    practice.refresh_from_db()
    assert practice.title == "Changed by a script"


def test_two_saves_from_one_stale_copy_leave_different_versions(taxonomy):
    practice = PracticeFactory()
    copy = Practice.objects.get(pk=practice.pk)
    practice.save()
    copy.save()

    assert copy.version == practice.version + 1
    assert Practice.objects.get(pk=practice.pk).version == copy.version


def test_a_practice_linked_meanwhile_makes_the_action_point_form_stale(
    two_sessions, taxonomy
):
    first, second = two_sessions
    point = ActionPointFactory(text="Fund PPP secretariats for the long term.")
    practice = PracticeFactory(title="Fintel Alliance (Australia)")
    url = admin_url(ActionPoint, "change", point.pk)
    first_form = rendered_form_data(first.get(url))
    second_form = rendered_form_data(second.get(url))

    saved = first.post(url, {**first_form, "practices": [str(practice.pk)]})
    assert saved.status_code == 302, form_errors(saved)
    stale = second.post(url, {**second_form, "derived_note": "A note by the second."})

    assert stale.status_code == 200
    message = errors_text(stale)
    assert "Someone else saved this item after you opened it" in message
    assert "Practices" in message
    point.refresh_from_db()
    assert list(point.practices.all()) == [practice]
    assert point.derived_note == ""
