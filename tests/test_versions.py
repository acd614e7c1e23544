"""Every change is kept as a version: editors read what changed, publishers restore.

Restoring never publishes anything by itself: a reverted or recovered item comes back
as a draft unless a publisher chooses otherwise in the restore form, and nothing a
version holds reaches the public pages, exports or API before it is published.
"""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from core.models import Status
from partnerships.models import Meeting
from practices.models import Organisation, Practice
from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    PracticeSourceFactory,
)
from tests.test_admin import (
    admin_url,
    form_errors,
    form_name,
    post_action,
    rendered_form_data,
)

pytestmark = pytest.mark.django_db


def edit(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    changes = {form_name(type(obj), name): value for name, value in changes.items()}
    response = client.post(url, {**rendered_form_data(client.get(url)), **changes})
    assert response.status_code == 302, form_errors(response)
    obj.refresh_from_db()
    return obj


def versions(obj):
    """Versions of ``obj``, oldest first."""
    return list(Version.objects.get_for_object(obj).order_by("pk"))


def revert_url(obj, version):
    return admin_url(type(obj), "revision", obj.pk, version.pk)


def text(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def public_everywhere(client, practice):
    """Where the public could see a practice: detail, list, CSV and API."""
    detail = client.get(reverse("practices:detail", kwargs={"slug": practice.slug}))
    listing = client.get(reverse("practices:list"))
    csv = client.get(reverse("practices:export"))
    api = client.get(reverse("api:practice_list"))
    return {
        "detail": detail.status_code == 200,
        "list": practice.title in text(listing),
        "csv": practice.title in text(csv),
        "api": practice.title in text(api),
    }


@pytest.fixture
def publishing(publisher):
    client = Client()
    client.force_login(publisher)
    return client


@pytest.fixture
def editing(editor):
    client = Client()
    client.force_login(editor)
    return client


# What changed between versions


def test_every_admin_save_is_a_version_with_its_inlines_and_relations(
    publishing, taxonomy
):
    practice = PracticeFactory(sectors=[taxonomy["supply"]])
    organisation = OrganisationFactory(name="Retail Trade Association")

    edit(
        publishing,
        practice,
        summary="Retailers share audit findings.",
        sectors=[str(taxonomy["financial"].pk)],
        **{
            "partners-0-organisation": str(organisation.pk),
            "sources-0-title": "Audit report 2022",
            "sources-0-url": "https://example.org/audit-2022",
        },
    )

    latest = versions(practice)[-1]
    assert latest.revision.user.username == "publisher"
    assert latest.field_dict["summary"] == "Retailers share audit findings."
    assert latest.field_dict["sectors"] == [taxonomy["financial"].pk]
    held = {version._model for version in latest.revision.version_set.all()}
    assert {"PracticeSource", "PracticePartner"} <= {m.__name__ for m in held}


def test_changes_view_shows_what_a_version_changed(publishing, taxonomy):
    practice = PracticeFactory(
        summary="The first summary.", sectors=[taxonomy["supply"]]
    )
    publishing.get(admin_url(Practice, "change", practice.pk))  # the baseline
    edit(
        publishing,
        practice,
        summary="The second summary.",
        sectors=[str(taxonomy["financial"].pk)],
        **{
            "sources-0-title": "Audit report 2022",
            "sources-0-url": "https://example.org/audit-2022",
        },
    )
    latest = versions(practice)[-1]
    history = publishing.get(admin_url(Practice, "history", practice.pk))
    changes_url = admin_url(Practice, "version_changes", practice.pk, latest.pk)
    assert changes_url in history.text

    page = publishing.get(changes_url)

    assert page.status_code == 200
    assert "<del>The first summary.</del>" in page.text
    assert "<ins>The second summary.</ins>" in page.text
    assert f"<del>{taxonomy['supply'].name}</del>" in page.text
    assert f"<ins>{taxonomy['financial'].name}</ins>" in page.text
    assert "<ins>Audit report 2022 · https://example.org/audit-2022 · 0</ins>" in (
        page.text
    )
    assert "Title" not in page.text.split("What this version changed", 1)[1]


def test_editors_read_the_changes_of_published_content_but_cannot_restore_it(
    editing, publishing, taxonomy
):
    practice = PracticeFactory(status=Status.PUBLISHED, summary="Before.")
    publishing.get(admin_url(Practice, "change", practice.pk))
    edit(publishing, practice, summary="After.")
    first, latest = versions(practice)

    history = editing.get(admin_url(Practice, "history", practice.pk))
    changes = editing.get(
        admin_url(Practice, "version_changes", practice.pk, latest.pk)
    )
    revert = editing.get(revert_url(practice, first))
    revert_post = editing.post(revert_url(practice, first), {})

    assert history.status_code == 200
    assert "Restore this version" not in history.text
    assert changes.status_code == 200
    assert "<ins>After.</ins>" in changes.text
    assert revert.status_code == 403
    assert revert_post.status_code == 403
    practice.refresh_from_db()
    assert practice.summary == "After."
    assert practice.status == Status.PUBLISHED


def test_changes_view_of_another_items_version_is_not_found(publishing, taxonomy):
    one, other = PracticeFactory(), PracticeFactory()
    publishing.get(admin_url(Practice, "change", other.pk))
    version = versions(other)[-1]

    response = publishing.get(
        admin_url(Practice, "version_changes", one.pk, version.pk)
    )

    assert response.status_code == 404


# Revert


def test_publisher_reverts_a_published_practice_to_a_draft_of_the_old_version(
    publishing, client, taxonomy
):
    practice = PracticeFactory(status=Status.PUBLISHED, summary="The good summary.")
    publishing.get(admin_url(Practice, "change", practice.pk))
    edit(publishing, practice, summary="A vandalised summary.")
    good = versions(practice)[0]

    form = publishing.get(revert_url(practice, good))
    assert form.status_code == 200
    assert form.context["adminform"].form["status"].value() == Status.DRAFT
    assert "The good summary." in form.text
    practice.refresh_from_db()
    assert practice.summary == "A vandalised summary."  # only a look, nothing saved
    saved = publishing.post(revert_url(practice, good), rendered_form_data(form))

    assert saved.status_code == 302, form_errors(saved)
    practice.refresh_from_db()
    assert practice.summary == "The good summary."
    assert practice.status == Status.DRAFT
    assert not any(public_everywhere(client, practice).values())
    post_action(publishing, Practice, "publish", [practice])
    assert all(public_everywhere(client, practice).values())


def test_publisher_may_publish_the_reverted_content_from_the_form(publishing, taxonomy):
    practice = PracticeFactory(status=Status.PUBLISHED, summary="The good summary.")
    publishing.get(admin_url(Practice, "change", practice.pk))
    edit(publishing, practice, summary="A vandalised summary.")
    form = publishing.get(revert_url(practice, versions(practice)[0]))

    saved = publishing.post(
        revert_url(practice, versions(practice)[0]),
        {**rendered_form_data(form), "status": Status.PUBLISHED},
    )

    assert saved.status_code == 302, form_errors(saved)
    practice.refresh_from_db()
    assert (practice.summary, practice.status) == (
        "The good summary.",
        Status.PUBLISHED,
    )


def test_revert_brings_back_the_sources_and_tags_of_the_version(publishing, taxonomy):
    practice = PracticeFactory(tags=["forced labour"])
    PracticeSourceFactory(practice=practice, title="Kept source")
    publishing.get(admin_url(Practice, "change", practice.pk))
    old = versions(practice)[0]
    url = admin_url(Practice, "change", practice.pk)
    data = rendered_form_data(publishing.get(url))
    data["sources-0-DELETE"] = "on"
    data["sources-1-title"] = "Added later"
    data["sources-1-url"] = "https://example.org/later"
    data["taggit-taggeditem-content_type-object_id-0-DELETE"] = "on"
    response = publishing.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert list(practice.sources.values_list("title", flat=True)) == ["Added later"]
    assert not practice.tags.exists()

    form = publishing.get(revert_url(practice, old))
    saved = publishing.post(revert_url(practice, old), rendered_form_data(form))

    assert saved.status_code == 302, form_errors(saved)
    assert list(practice.sources.values_list("title", flat=True)) == ["Kept source"]
    assert list(practice.tags.names()) == ["forced labour"]


def test_revert_touches_no_other_item_saved_in_the_same_revision(publishing, taxonomy):
    one = PracticeFactory(status=Status.REVIEW, summary="One, reviewed.")
    other = PracticeFactory(status=Status.REVIEW, summary="Other, reviewed.")
    post_action(publishing, Practice, "publish", [one, other])  # one revision
    shared = versions(one)[-1]
    assert shared.revision == versions(other)[-1].revision
    edit(publishing, one, summary="One, edited.")
    edit(publishing, other, summary="Other, edited.")

    form = publishing.get(revert_url(one, shared))
    saved = publishing.post(revert_url(one, shared), rendered_form_data(form))

    assert saved.status_code == 302, form_errors(saved)
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.summary == "One, reviewed."
    assert (other.summary, other.status) == ("Other, edited.", Status.PUBLISHED)


def test_reverting_a_meeting_leaves_its_action_points_alone(publishing, taxonomy):
    meeting = MeetingFactory(status=Status.PUBLISHED, summary="Before.")
    InsightFactory(meeting=meeting, text="An insight.")
    publishing.get(admin_url(Meeting, "change", meeting.pk))
    old = versions(meeting)[0]
    point = ActionPointFactory(meeting=meeting, status=Status.ARCHIVED)
    edit(publishing, meeting, summary="After.")

    form = publishing.get(admin_url(Meeting, "revision", meeting.pk, old.pk))
    saved = publishing.post(
        admin_url(Meeting, "revision", meeting.pk, old.pk), rendered_form_data(form)
    )

    assert saved.status_code == 302, form_errors(saved)
    meeting.refresh_from_db()
    point.refresh_from_db()
    assert (meeting.summary, meeting.status) == ("Before.", Status.DRAFT)
    assert point.status == Status.ARCHIVED
    assert meeting.insights.get().text == "An insight."


def test_editor_reverts_a_draft_but_cannot_publish_through_the_revert(
    editing, taxonomy
):
    practice = PracticeFactory(status=Status.DRAFT, summary="First draft.")
    editing.get(admin_url(Practice, "change", practice.pk))
    edit(editing, practice, summary="Second draft.")
    first = versions(practice)[0]

    form = editing.get(revert_url(practice, first))
    assert [v for v, _ in form.context["adminform"].form.fields["status"].choices] == [
        Status.DRAFT,
        Status.REVIEW,
    ]
    forced = editing.post(
        revert_url(practice, first),
        {**rendered_form_data(form), "status": Status.PUBLISHED},
    )
    saved = editing.post(revert_url(practice, first), rendered_form_data(form))

    assert forced.status_code in {200, 403}
    assert saved.status_code == 302, form_errors(saved)
    practice.refresh_from_db()
    assert (practice.summary, practice.status) == ("First draft.", Status.DRAFT)


def test_a_version_that_was_published_reverts_to_a_draft_for_an_editor(
    editing, publishing, taxonomy
):
    practice = PracticeFactory(status=Status.PUBLISHED, summary="Published text.")
    publishing.get(admin_url(Practice, "change", practice.pk))
    published_version = versions(practice)[0]
    post_action(publishing, Practice, "unpublish", [practice])
    edit(editing, practice, summary="Draft text.")

    form = editing.get(revert_url(practice, published_version))
    saved = editing.post(
        revert_url(practice, published_version), rendered_form_data(form)
    )

    assert saved.status_code == 302, form_errors(saved)
    practice.refresh_from_db()
    assert (practice.summary, practice.status) == ("Published text.", Status.DRAFT)


def test_a_stale_revert_form_is_refused(publishing, taxonomy):
    practice = PracticeFactory(summary="Old.")
    publishing.get(admin_url(Practice, "change", practice.pk))
    old = versions(practice)[0]
    edit(publishing, practice, summary="New.")
    form = rendered_form_data(publishing.get(revert_url(practice, old)))
    edit(publishing, practice, summary="Newer, saved meanwhile.")

    stale = publishing.post(revert_url(practice, old), form)

    assert stale.status_code == 200
    message = str(stale.context["adminform"].form.non_field_errors())
    assert "Newer, saved meanwhile." in message
    practice.refresh_from_db()
    assert practice.summary == "Newer, saved meanwhile."


# Recover


def delete(client, obj):
    response = client.post(admin_url(type(obj), "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_a_deleted_published_practice_is_recovered_as_a_draft(
    publishing, client, taxonomy
):
    organisation = OrganisationFactory(name="Harbour Bank")
    practice = PracticeFactory(
        status=Status.PUBLISHED,
        title="Bank alerts on trafficking finance",
        partners=[organisation],
        tags=["finance"],
    )
    PracticeSourceFactory(practice=practice, title="Annual report")
    publishing.get(admin_url(Practice, "change", practice.pk))
    assert all(public_everywhere(client, practice).values())
    delete(publishing, practice)

    listing = publishing.get(admin_url(Practice, "recoverlist"))
    deleted = Version.objects.get_deleted(Practice).get()
    recover_url = admin_url(Practice, "recover", deleted.pk)
    assert recover_url in listing.text
    form = publishing.get(recover_url)
    assert form.context["adminform"].form["status"].value() == Status.DRAFT
    saved = publishing.post(recover_url, rendered_form_data(form))

    assert saved.status_code == 302, form_errors(saved)
    recovered = Practice.objects.get(pk=practice.pk)
    assert recovered.status == Status.DRAFT
    assert list(recovered.sources.values_list("title", flat=True)) == ["Annual report"]
    assert list(recovered.tags.names()) == ["finance"]
    assert recovered.partners.get().organisation == organisation
    assert not any(public_everywhere(client, recovered).values())
    post_action(publishing, Practice, "publish", [recovered])
    assert all(public_everywhere(client, recovered).values())


def test_an_editor_recovers_a_deleted_practice_only_as_a_draft(
    editing, publishing, taxonomy
):
    practice = PracticeFactory(status=Status.PUBLISHED)
    publishing.get(admin_url(Practice, "change", practice.pk))
    delete(publishing, practice)
    version = Version.objects.get_deleted(Practice).get()
    url = admin_url(Practice, "recover", version.pk)

    form = editing.get(url)
    forced = editing.post(url, {**rendered_form_data(form), "status": "published"})

    assert form.status_code == 200
    assert forced.status_code in {200, 403}
    assert not Practice.objects.published().exists()
    saved = editing.post(url, rendered_form_data(form))
    assert saved.status_code == 302, form_errors(saved)
    assert Practice.objects.get(pk=practice.pk).status == Status.DRAFT


def test_an_item_changed_outside_any_revision_is_recovered_as_it_was_deleted(
    publishing, taxonomy
):
    practice = PracticeFactory(summary="Saved by a script, never versioned.")
    delete(publishing, practice)
    version = Version.objects.get_deleted(Practice).get()
    url = admin_url(Practice, "recover", version.pk)

    saved = publishing.post(url, rendered_form_data(publishing.get(url)))

    assert saved.status_code == 302, form_errors(saved)
    recovered = Practice.objects.get(pk=practice.pk)
    assert recovered.summary == "Saved by a script, never versioned."


def test_items_deleted_by_the_bulk_action_can_be_recovered(publishing, taxonomy):
    practices = [PracticeFactory(), PracticeFactory()]
    response = publishing.post(
        admin_url(Practice, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(p.pk) for p in practices],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Practice.objects.exists()

    deleted = Version.objects.get_deleted(Practice)

    assert {int(v.object_id) for v in deleted} == {p.pk for p in practices}


def test_recover_of_an_item_that_is_not_deleted_is_not_found(publishing, taxonomy):
    practice = PracticeFactory()
    publishing.get(admin_url(Practice, "change", practice.pk))

    response = publishing.get(admin_url(Practice, "recover", versions(practice)[0].pk))

    assert response.status_code == 404


def test_a_version_is_never_public(client, publishing, taxonomy):
    practice = PracticeFactory(status=Status.PUBLISHED, title="Public title")
    publishing.get(admin_url(Practice, "change", practice.pk))
    post_action(publishing, Practice, "unpublish", [practice])
    edit(publishing, practice, title="Draft-only title")

    seen = public_everywhere(client, practice)

    assert not any(seen.values())
    body = text(client.get(reverse("practices:list")))
    assert "Public title" not in body
    assert "Draft-only title" not in body


# Saves outside the admin


def test_bulk_actions_keep_a_version_per_item(publishing, taxonomy):
    practices = [PracticeFactory(status=Status.REVIEW) for _ in range(2)]

    post_action(publishing, Practice, "publish", practices)

    for practice in practices:
        latest = versions(practice)[-1]
        assert latest.field_dict["status"] == Status.PUBLISHED
        assert latest.revision.user.username == "publisher"


def test_the_reference_loader_keeps_versions(reference_content):
    practice = Practice.objects.order_by("pk").first()

    latest = versions(practice)[-1]

    assert latest.revision.comment.startswith("Loaded from the reference content")
    assert latest.field_dict["title"] == practice.title


def test_loading_twice_keeps_the_public_content_unchanged(reference_content, client):
    before = text(client.get(reverse("practices:export")))
    call_command("load_reference", verbosity=0)

    assert text(client.get(reverse("practices:export"))) == before


def test_a_version_of_another_model_cannot_be_reverted_through_this_one(
    editing, publishing, taxonomy
):
    meeting = MeetingFactory(status=Status.PUBLISHED, summary="Published meeting.")
    publishing.get(admin_url(Meeting, "change", meeting.pk))
    meeting_version = versions(meeting)[0]
    post_action(publishing, Meeting, "unpublish", [meeting])
    practice = PracticeFactory(pk=meeting.pk, status=Status.DRAFT)

    response = editing.get(revert_url(practice, meeting_version))
    post = editing.post(revert_url(practice, meeting_version), {})

    assert response.status_code == 404
    assert post.status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == Status.DRAFT


# Organisations have no workflow, but their changes are kept and restorable too.


def test_an_organisation_rename_is_kept_and_reverted(publishing, taxonomy):
    organisation = OrganisationFactory(name="Harbour Bank")
    url = admin_url(Organisation, "change", organisation.pk)
    data = {
        "name": "Harbour Bank",
        "slug": organisation.slug,
        "type": "private_company",
    }
    assert publishing.post(url, data).status_code == 302
    assert publishing.post(url, {**data, "name": "Harbor Bnak"}).status_code == 302
    first = versions(organisation)[0]

    form = publishing.get(
        admin_url(Organisation, "revision", organisation.pk, first.pk)
    )
    saved = publishing.post(
        admin_url(Organisation, "revision", organisation.pk, first.pk),
        rendered_form_data(form),
    )

    assert saved.status_code == 302, form_errors(saved)
    organisation.refresh_from_db()
    assert organisation.name == "Harbour Bank"


def test_an_editor_cannot_revert_an_organisation_public_content_names(
    editing, publishing, taxonomy
):
    organisation = OrganisationFactory(name="Public Bank")
    PracticeFactory(status=Status.PUBLISHED, partners=[organisation])
    url = admin_url(Organisation, "change", organisation.pk)
    data = {"name": "Public Bank", "slug": organisation.slug, "type": "private_company"}
    publishing.post(url, data)
    publishing.post(url, {**data, "name": "Public Bank plc"})
    first = versions(organisation)[0]

    response = editing.post(
        admin_url(Organisation, "revision", organisation.pk, first.pk),
        {**data, "name": "Renamed by an editor"},
    )

    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Public Bank plc"


def test_an_action_points_version_holds_its_practice_links_and_restores_them(
    publishing, taxonomy
):
    kept = PracticeFactory(title="Fintel Alliance (Australia)")
    later = PracticeFactory(title="Project Protect (Canada)")
    point = ActionPointFactory(text="Fund PPP secretariats for the long term.")
    edit(publishing, point, practices=[str(kept.pk)])
    linked = versions(point)[-1]
    assert linked.field_dict["practices"] == [kept.pk]
    edit(publishing, point, practices=[str(later.pk)])

    form = publishing.get(revert_url(point, linked))
    saved = publishing.post(revert_url(point, linked), rendered_form_data(form))

    assert saved.status_code == 302, form_errors(saved)
    assert list(point.practices.all()) == [kept]
