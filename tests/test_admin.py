"""The editorial admin: editors write drafts, publishers decide what is public.

Everything goes through the real admin URLs with the Django test client, as a browser
would: forms are posted back with the values the admin rendered (inline management
forms included), so a refusal here is the admin's permission boundary and not a
malformed request. Each refusal has a control beside it showing that the same request
succeeds for someone who may make it.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.text import capfirst
from modeltranslation.utils import build_localized_fieldname
from taggit.models import Tag

from core.models import Status
from core.translation import SOURCE_LANGUAGE, translated_fields
from partnerships.models import ActionPoint, Meeting, Strategy
from practices.models import (
    Audience,
    Country,
    LessonLearned,
    Organisation,
    PartnershipKind,
    Practice,
    Region,
    Sector,
    Stage,
)
from tests.factories import (
    ActionPointFactory,
    AudienceFactory,
    CountryFactory,
    KindFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    RegionFactory,
    SectorFactory,
    StageFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db


# Helpers


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _form_values(form, data):
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        key = form.add_prefix(name)
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)


def rendered_form_data(response):
    """What a browser would post back from an admin add or change page, untouched."""
    assert response.status_code == 200, response.status_code
    data = {}
    _form_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_values(formset.management_form, data)
        for form in formset.forms:
            _form_values(form, data)
    return data


def form_name(model, field):
    """The admin's name for ``field``'s input: a text with a field per language is
    typed into its English one (``title_en_gb``)."""
    if field in translated_fields(model):
        return build_localized_fieldname(field, SOURCE_LANGUAGE)
    return field


def form_errors(response):
    """The admin's validation errors, to explain an unexpected 200."""
    if response.status_code != 200 or response.context is None:
        return response.status_code
    errors = [response.context["adminform"].form.errors]
    errors += [
        inline.formset.errors for inline in response.context["inline_admin_formsets"]
    ]
    return errors


def status_choices(response):
    return [
        value
        for value, _ in response.context["adminform"].form.fields["status"].choices
    ]


# Editors and publishers of every kind of publishable content.

PUBLISHABLE = {
    "practice": (Practice, PracticeFactory, "title"),
    "meeting": (Meeting, MeetingFactory, "title"),
    "action-point": (ActionPoint, ActionPointFactory, "text"),
    "lesson": (LessonLearned, LessonLearnedFactory, "text"),
    "strategy": (Strategy, StrategyFactory, "text"),
}
# The three the brief names; lessons learned share the same admin class.
GUARDED = ["practice", "meeting", "action-point", "lesson", "strategy"]


def new_content(kind, taxonomy):
    """A complete add form for ``kind``: what an editor types into a fresh page (the
    texts into their English fields, beside the French, Spanish and Arabic ones)."""
    return {
        "practice": {
            "title_en_gb": "Retailers against forced labour",
            "slug": "retailers-against-forced-labour",
            "summary_en_gb": "Retailers and labour inspectors share audit findings.",
            "sectors": [str(taxonomy["supply"].pk)],
            "kind": str(taxonomy["fi_partnership"].pk),
        },
        "meeting": {
            "title_en_gb": "Regional Expert Group Meeting for Europe",
            "short_title_en_gb": "Europe REGM",
            "slug": "europe-regm",
            "summary_en_gb": "Experts from business and government met online.",
        },
        "action-point": {
            "text_en_gb": "Share red-flag indicators with partner banks every quarter.",
            "audience": str(taxonomy["law_enforcement"].pk),
        },
        "lesson": {
            "text_en_gb": "Start with a few committed partners and grow slowly."
        },
        "strategy": {
            "text_en_gb": "Agree on what data partners share before they start."
        },
    }[kind]


@pytest.mark.parametrize("kind", GUARDED)
def test_editor_is_offered_only_draft_and_review(client, editor, taxonomy, kind):
    model = PUBLISHABLE[kind][0]
    client.force_login(editor)

    response = client.get(admin_url(model, "add"))

    assert response.status_code == 200
    assert status_choices(response) == [Status.DRAFT, Status.REVIEW]
    select = response.text.split('name="status"', 1)[1].split("</select>", 1)[0]
    assert 'value="published"' not in select
    assert 'value="archived"' not in select


@pytest.mark.parametrize("kind", GUARDED)
def test_publisher_is_offered_every_status(client, publisher, kind):
    client.force_login(publisher)

    response = client.get(admin_url(PUBLISHABLE[kind][0], "add"))

    assert status_choices(response) == [choice.value for choice in Status]


def test_editor_creates_a_draft_practice_with_a_partner_and_a_source(
    client, editor, taxonomy
):
    organisation = OrganisationFactory(name="Retail Trade Association")
    client.force_login(editor)
    page = client.get(admin_url(Practice, "add"))
    data = rendered_form_data(page)
    data.update(new_content("practice", taxonomy))
    data.update(
        {
            "countries": [str(taxonomy["nigeria"].pk)],
            "partners-0-organisation": str(organisation.pk),
            "partners-0-role": "lead",
            "sources-0-title": "Annual audit report 2022",
            "sources-0-url": "https://example.org/audit-2022",
        }
    )

    response = client.post(admin_url(Practice, "add"), data)

    assert response.status_code == 302, form_errors(response)
    practice = Practice.objects.get(slug="retailers-against-forced-labour")
    assert practice.status == Status.DRAFT
    assert practice.published_at is None
    partner = practice.partners.get()
    assert (partner.organisation, partner.role) == (organisation, "lead")
    assert list(practice.sources.values_list("url", flat=True)) == [
        "https://example.org/audit-2022"
    ]
    # Saving in the admin fills in the country's sub-region and its parent.
    assert set(practice.regions.all()) == {taxonomy["sub_saharan"], taxonomy["africa"]}
    assert LogEntry.objects.filter(object_id=str(practice.pk), user=editor).exists()
    assert not Practice.objects.published().exists()


def test_editor_adds_tags_through_the_tag_inline(client, editor, taxonomy):
    tag = Tag.objects.create(name="forced labour", slug="forced-labour")
    client.force_login(editor)
    data = rendered_form_data(client.get(admin_url(Practice, "add")))
    data.update(new_content("practice", taxonomy))
    prefix = next(
        key for key in data if key.endswith("-TOTAL_FORMS") and "tagged" in key
    )
    data[prefix.replace("TOTAL_FORMS", "0-tag")] = str(tag.pk)

    response = client.post(admin_url(Practice, "add"), data)

    assert response.status_code == 302, form_errors(response)
    practice = Practice.objects.get(slug="retailers-against-forced-labour")
    assert list(practice.tags.names()) == ["forced labour"]


@pytest.mark.parametrize(
    ("status", "is_created"),
    [(Status.REVIEW, True), (Status.PUBLISHED, False), (Status.ARCHIVED, False)],
)
@pytest.mark.parametrize("kind", GUARDED)
def test_editor_cannot_add_content_as_published_or_archived(
    client, editor, taxonomy, kind, status, is_created
):
    model = PUBLISHABLE[kind][0]
    client.force_login(editor)
    data = rendered_form_data(client.get(admin_url(model, "add")))
    data.update(new_content(kind, taxonomy), status=status)

    response = client.post(admin_url(model, "add"), data)

    if is_created:
        assert response.status_code == 302, form_errors(response)
        assert model.objects.get().status == Status.REVIEW
    else:
        assert response.status_code in {200, 403}
        assert not model.objects.exists()


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
@pytest.mark.parametrize("kind", GUARDED)
def test_editor_cannot_publish_or_archive_a_draft_through_its_form(
    client, editor, admin_client, kind, status
):
    model, factory, _ = PUBLISHABLE[kind]
    obj = factory(status=Status.DRAFT)
    data = rendered_form_data(admin_client.get(admin_url(model, "change", obj.pk)))
    client.force_login(editor)

    response = client.post(
        admin_url(model, "change", obj.pk), {**data, "status": status}
    )

    assert response.status_code in {200, 403}
    obj.refresh_from_db()
    assert obj.status == Status.DRAFT
    assert obj.published_at is None


@pytest.mark.parametrize("kind", GUARDED)
def test_editor_may_edit_a_draft_and_send_it_for_review(
    client, editor, admin_client, kind
):
    model, factory, field = PUBLISHABLE[kind]
    obj = factory(status=Status.DRAFT)
    data = rendered_form_data(admin_client.get(admin_url(model, "change", obj.pk)))
    client.force_login(editor)

    response = client.post(
        admin_url(model, "change", obj.pk),
        {
            **data,
            form_name(model, field): "Rewritten by the editor",
            "status": Status.REVIEW,
        },
    )

    assert response.status_code == 302, form_errors(response)
    obj.refresh_from_db()
    assert getattr(obj, field) == "Rewritten by the editor"
    assert obj.status == Status.REVIEW


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
def test_admin_save_refuses_an_editor_publishing_even_past_the_form(rf, editor, status):
    # The status choices are the first guard; the save path is the one that decides.
    practice = PracticeFactory(status=Status.DRAFT)
    request = rf.post("/admin/")
    request.user = editor
    practice.status = status

    with pytest.raises(PermissionDenied):
        admin.site._registry[Practice].save_model(request, practice, None, True)

    practice.refresh_from_db()
    assert practice.status == Status.DRAFT


def post_action(client, model, action, objects):
    return client.post(
        admin_url(model, "changelist"),
        {
            "action": action,
            "_selected_action": [str(obj.pk) for obj in objects],
            "index": "0",
            "select_across": "0",
        },
    )


@pytest.mark.parametrize("kind", GUARDED)
def test_editor_is_offered_only_the_review_action(client, editor, kind):
    client.force_login(editor)

    response = client.get(admin_url(PUBLISHABLE[kind][0], "changelist"))

    offered = [
        name for name, _ in response.context["action_form"].fields["action"].choices
    ]
    assert [name for name in offered if name] == ["send_for_review"]


@pytest.mark.parametrize(
    ("action", "start"),
    [
        ("publish", Status.DRAFT),
        ("publish", Status.REVIEW),
        ("archive", Status.DRAFT),
        ("archive", Status.PUBLISHED),
        ("unpublish", Status.PUBLISHED),
        ("send_for_review", Status.PUBLISHED),
        ("delete_selected", Status.DRAFT),
    ],
)
@pytest.mark.parametrize("kind", GUARDED)
def test_editor_cannot_run_publisher_actions(client, editor, kind, action, start):
    model, factory, _ = PUBLISHABLE[kind]
    rows = [factory(status=start), factory(status=start)]
    client.force_login(editor)

    post_action(client, model, action, rows)

    assert sorted(model.objects.values_list("status", flat=True)) == [start, start]


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("publish", Status.REVIEW, Status.PUBLISHED),
        ("archive", Status.PUBLISHED, Status.ARCHIVED),
        ("unpublish", Status.PUBLISHED, Status.DRAFT),
    ],
)
@pytest.mark.parametrize("kind", GUARDED)
def test_publisher_runs_the_publication_actions(
    client, publisher, kind, action, start, end
):
    model, factory, _ = PUBLISHABLE[kind]
    rows = [factory(status=start), factory(status=start)]
    client.force_login(publisher)

    response = post_action(client, model, action, rows)

    assert response.status_code == 302
    assert sorted(model.objects.values_list("status", flat=True)) == [end, end]
    assert LogEntry.objects.filter(action_flag=CHANGE, user=publisher).count() == 2


@pytest.mark.parametrize("kind", GUARDED)
def test_editor_sends_drafts_for_review_with_the_action(client, editor, kind):
    model, factory, _ = PUBLISHABLE[kind]
    rows = [factory(status=Status.DRAFT), factory(status=Status.DRAFT)]
    client.force_login(editor)

    post_action(client, model, "send_for_review", rows)

    assert set(model.objects.values_list("status", flat=True)) == {Status.REVIEW}


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
@pytest.mark.parametrize("kind", GUARDED)
def test_editor_sees_public_content_read_only_and_cannot_change_it(
    client, editor, admin_client, kind, status
):
    model, factory, field = PUBLISHABLE[kind]
    obj = factory(status=status)
    before = getattr(obj, field)
    data = rendered_form_data(admin_client.get(admin_url(model, "change", obj.pk)))
    client.force_login(editor)

    page = client.get(admin_url(model, "change", obj.pk))
    response = client.post(
        admin_url(model, "change", obj.pk),
        {**data, field: "Quietly rewritten", "status": Status.DRAFT},
    )

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert 'name="_save"' not in page.text
    assert response.status_code == 403
    obj.refresh_from_db()
    assert (getattr(obj, field), obj.status) == (before, status)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED])
@pytest.mark.parametrize("kind", GUARDED)
def test_editor_cannot_delete_content(client, editor, kind, status):
    model, factory, _ = PUBLISHABLE[kind]
    obj = factory(status=status)
    client.force_login(editor)

    page = client.get(admin_url(model, "delete", obj.pk))
    response = client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})

    assert page.status_code == 403
    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("kind", GUARDED)
def test_publisher_changes_and_deletes_published_content(
    client, publisher, admin_client, kind
):
    model, factory, field = PUBLISHABLE[kind]
    changed, deleted = factory(published=True), factory(published=True)
    data = rendered_form_data(admin_client.get(admin_url(model, "change", changed.pk)))
    client.force_login(publisher)

    edit = client.post(
        admin_url(model, "change", changed.pk),
        {**data, form_name(model, field): "Corrected"},
    )
    delete = client.post(admin_url(model, "delete", deleted.pk), {"post": "yes"})

    assert edit.status_code == 302, form_errors(edit)
    changed.refresh_from_db()
    assert getattr(changed, field) == "Corrected"
    assert delete.status_code == 302
    assert not model.objects.filter(pk=deleted.pk).exists()


def public_marker(obj):
    """How the public list shows a row: a link to it, or its anchor in the list."""
    url = obj.get_absolute_url()
    return f'id="{url.split("#", 1)[1]}"' if "#" in url else f'href="{url}"'


PUBLIC_LISTS = {
    "practice": "/practices/",
    "meeting": "/meetings/",
    "action-point": "/action-points/",
}


@pytest.mark.parametrize("kind", list(PUBLIC_LISTS))
def test_publisher_publishes_through_the_change_form(client, publisher, kind):
    model, factory, _ = PUBLISHABLE[kind]
    obj = factory(status=Status.REVIEW)
    client.force_login(publisher)
    data = rendered_form_data(client.get(admin_url(model, "change", obj.pk)))
    assert public_marker(obj) not in client.get(PUBLIC_LISTS[kind]).text

    response = client.post(
        admin_url(model, "change", obj.pk), {**data, "status": Status.PUBLISHED}
    )

    assert response.status_code == 302, form_errors(response)
    obj.refresh_from_db()
    assert obj.status == Status.PUBLISHED
    assert obj.published_at is not None
    client.logout()
    assert public_marker(obj) in client.get(PUBLIC_LISTS[kind]).text


@pytest.mark.parametrize("kind", list(PUBLIC_LISTS))
def test_publisher_publishes_through_the_list_action(client, publisher, kind):
    model, factory, _ = PUBLISHABLE[kind]
    obj = factory(status=Status.REVIEW)
    assert public_marker(obj) not in client.get(PUBLIC_LISTS[kind]).text
    client.force_login(publisher)

    post_action(client, model, "publish", [obj])

    obj.refresh_from_db()
    assert obj.published_at is not None
    client.logout()
    assert public_marker(obj) in client.get(PUBLIC_LISTS[kind]).text


# History, lists, search and autocomplete for every registered model.

# model: (how to make one, a field the test edits in its change form)
EDITABLE = {
    Sector: (lambda: SectorFactory(name="Financial sector"), "summary"),
    Stage: (lambda: StageFactory(name="Recruitment"), "description"),
    Audience: (lambda: AudienceFactory(name="Law enforcement"), "description"),
    PartnershipKind: (lambda: KindFactory(name="Technology tool"), "description"),
    Region: (lambda: RegionFactory(name="Western Africa"), "name"),
    Country: (lambda: CountryFactory(code="NG"), "name"),
    Practice: (lambda: PracticeFactory(published=True), "summary"),
    LessonLearned: (lambda: LessonLearnedFactory(published=True), "text"),
    Organisation: (lambda: OrganisationFactory(), "description"),
    Meeting: (lambda: MeetingFactory(published=True), "summary"),
    ActionPoint: (lambda: ActionPointFactory(published=True), "text"),
    Strategy: (lambda: StrategyFactory(published=True), "text"),
    Tag: (
        lambda: Tag.objects.create(name="forced labour", slug="forced-labour"),
        "name",
    ),
}
PROJECT_APPS = {"practices", "partnerships", "taggit"}


def registered_models():
    return {
        model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS
    }


def test_every_registered_content_model_is_covered_here():
    assert registered_models() == set(EDITABLE)


@pytest.mark.parametrize(
    "model", list(EDITABLE), ids=lambda model: model._meta.model_name
)
def test_history_page_lists_the_change(admin_client, model):
    make, field = EDITABLE[model]
    obj = make()
    change = admin_url(model, "change", obj.pk)
    data = rendered_form_data(admin_client.get(change))
    field = form_name(model, field)
    response = admin_client.post(change, {**data, field: "Edited for the history test"})
    assert response.status_code == 302, form_errors(response)
    label = capfirst(model._meta.get_field(field).verbose_name)

    history = admin_client.get(admin_url(model, "history", obj.pk))

    assert history.status_code == 200
    assert f"Changed {label}." in history.text


@pytest.mark.parametrize(
    "model", list(EDITABLE), ids=lambda model: model._meta.model_name
)
@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_staff_open_the_changelist_search_and_facets(request, client, model, role):
    EDITABLE[model][0]()
    client.force_login(request.getfixturevalue(role))
    url = admin_url(model, "changelist")

    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "trafficking «ü» '%"}).status_code == 200
    assert client.get(url, {"_facets": "True"}).status_code == 200


@pytest.mark.parametrize("model", [Practice, Meeting], ids=["practice", "meeting"])
def test_staff_open_the_history_of_content_they_may_only_view(client, editor, model):
    obj = EDITABLE[model][0]()
    client.force_login(editor)

    assert client.get(admin_url(model, "history", obj.pk)).status_code == 200


def autocomplete(client, app_label, model_name, field_name, term):
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    assert response.status_code == 200, response.status_code
    return [result["text"] for result in response.json()["results"]]


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_organisation_autocomplete_finds_an_organisation(request, client, role):
    OrganisationFactory(name="Polaris")
    OrganisationFactory(name="Western Union")
    client.force_login(request.getfixturevalue(role))

    found = autocomplete(client, "practices", "practicepartner", "organisation", "pola")

    assert found == ["Polaris"]


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_tag_autocomplete_finds_a_tag(request, client, role):
    Tag.objects.create(name="forced labour", slug="forced-labour")
    Tag.objects.create(name="money laundering", slug="money-laundering")
    client.force_login(request.getfixturevalue(role))

    found = autocomplete(client, "taggit", "taggeditem", "tag", "forced")

    assert found == ["forced labour"]


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name", "make", "term", "text"),
    [
        (
            "practices",
            "practice",
            "countries",
            lambda: CountryFactory(code="NG"),
            "nige",
            "Nigeria",
        ),
        (
            "practices",
            "practice",
            "regions",
            lambda: RegionFactory(name="Western Africa"),
            "western",
            "Western Africa",
        ),
        (
            "practices",
            "practice",
            "kind",
            lambda: KindFactory(name="Technology tool"),
            "tool",
            "Technology tool",
        ),
        (
            "partnerships",
            "meeting",
            "organisations",
            lambda: OrganisationFactory(name="Polaris"),
            "polar",
            "Polaris",
        ),
        (
            "partnerships",
            "meeting",
            "practices",
            lambda: PracticeFactory(title="Banks Alliance"),
            "alliance",
            "Banks Alliance",
        ),
        (
            "partnerships",
            "meeting",
            "lessons",
            lambda: LessonLearnedFactory(text="Start small."),
            "small",
            "Start small.",
        ),
        (
            "partnerships",
            "actionpoint",
            "meeting",
            lambda: MeetingFactory(short_title="Africa REGM"),
            "africa",
            "Africa REGM",
        ),
        (
            "practices",
            "lessonpractice",
            "practice",
            lambda: PracticeFactory(title="Banks Alliance"),
            "banks",
            "Banks Alliance",
        ),
        (
            "partnerships",
            "strategy",
            "meeting",
            lambda: MeetingFactory(short_title="Online consultation 2020"),
            "consultation",
            "Online consultation 2020",
        ),
        (
            "partnerships",
            "strategy",
            "practices",
            lambda: PracticeFactory(title="Survivor employment"),
            "survivor",
            "Survivor employment",
        ),
    ],
)
def test_every_autocomplete_field_answers_editors(
    client, editor, app_label, model_name, field_name, make, term, text
):
    make()
    client.force_login(editor)

    assert text in autocomplete(client, app_label, model_name, field_name, term)


def test_autocomplete_is_closed_to_the_public(client):
    OrganisationFactory(name="Polaris")

    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "practices",
            "model_name": "practicepartner",
            "field_name": "organisation",
            "term": "pola",
        },
    )

    assert response.status_code in {302, 403}
    assert "Polaris" not in response.text


def test_editor_cannot_rename_an_organisation_that_public_content_names(
    client, editor, publisher, taxonomy
):
    public = OrganisationFactory(name="Public Bank")
    PracticeFactory(published=True, partners=[public])
    unpublished = OrganisationFactory(name="Draft-only Bank")
    PracticeFactory(partners=[unpublished])
    client.force_login(editor)
    for organisation, expected in ((public, 403), (unpublished, 302)):
        url = admin_url(Organisation, "change", organisation.pk)
        response = client.post(
            url,
            {"name": "Renamed", "slug": organisation.slug, "type": organisation.type},
        )
        assert response.status_code == expected
    public.refresh_from_db()
    unpublished.refresh_from_db()
    assert public.name == "Public Bank"
    assert unpublished.name == "Renamed"
    client.force_login(publisher)
    response = client.post(
        admin_url(Organisation, "change", public.pk),
        {"name": "Renamed by a publisher", "slug": public.slug, "type": public.type},
    )
    assert response.status_code == 302
    public.refresh_from_db()
    assert public.name == "Renamed by a publisher"


# Terms with no workflow of their own: public while public content uses them.

# model: how to make a term named ``name`` (the test then uses it in a practice)
TERMS = {
    Stage: lambda name: StageFactory(name=name),
    Audience: lambda name: AudienceFactory(name=name),
    PartnershipKind: lambda name: KindFactory(name=name),
    Region: lambda name: RegionFactory(name=name),
    Country: lambda name: CountryFactory(name=name),
    Tag: lambda name: Tag.objects.create(
        name=name, slug=name.lower().replace(" ", "-")
    ),
}


def practice_using(term, **status):
    """A practice (``published=True`` or a draft) that carries ``term``."""
    field = {
        Stage: "stages",
        Audience: "audiences",
        Region: "regions",
        Country: "countries",
        Tag: "tags",
    }.get(type(term))
    if field is None:
        return PracticeFactory(kind=term, **status)
    return PracticeFactory(**{field: [term]}, **status)


def rename(client, admin_client, term, name):
    """Post the term's own change form back, renamed, as ``client``."""
    url = admin_url(type(term), "change", term.pk)
    data = rendered_form_data(admin_client.get(url))
    data["name"] = name
    return client.post(url, data)


@pytest.mark.parametrize("model", list(TERMS), ids=lambda m: m._meta.model_name)
def test_editor_cannot_rename_or_delete_a_term_that_public_content_uses(
    client, admin_client, editor, model
):
    term = TERMS[model]("Public term")
    practice = practice_using(term, published=True)
    client.force_login(editor)

    renamed = rename(client, admin_client, term, "Renamed by an editor")
    deleted = client.post(admin_url(model, "delete", term.pk), {"post": "yes"})

    assert renamed.status_code == 403
    assert deleted.status_code == 403
    term.refresh_from_db()
    assert term.name == "Public term"
    # Read-only for the editor: the change page opens, with no save button.
    page = client.get(admin_url(model, "change", term.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    client.logout()
    assert "Renamed by an editor" not in client.get(practice.get_absolute_url()).text


# Editors hold the change permission on these: they may fix what nothing public uses.
PROPOSABLE = [Country, Tag]


@pytest.mark.parametrize("model", PROPOSABLE, ids=lambda m: m._meta.model_name)
def test_editor_changes_a_term_only_unpublished_content_uses(
    client, admin_client, editor, model
):
    term = TERMS[model]("Draft term")
    practice_using(term, status=Status.DRAFT)
    client.force_login(editor)

    response = rename(client, admin_client, term, "Draft term, corrected")

    assert response.status_code == 302, form_errors(response)
    term.refresh_from_db()
    assert term.name == "Draft term, corrected"


@pytest.mark.parametrize("model", PROPOSABLE, ids=lambda m: m._meta.model_name)
def test_publisher_renames_a_public_term_and_the_public_sees_it(
    client, admin_client, publisher, model
):
    term = TERMS[model]("Public term")
    practice = practice_using(term, published=True)
    client.force_login(publisher)

    response = rename(client, admin_client, term, "Renamed by a publisher")

    assert response.status_code == 302, form_errors(response)
    client.logout()
    assert "Renamed by a publisher" in client.get(practice.get_absolute_url()).text


def test_editor_still_adds_a_tag(client, editor):
    client.force_login(editor)

    response = client.post(
        admin_url(Tag, "add"), {"name": "debt bondage", "slug": "debt-bondage"}
    )

    assert response.status_code == 302, form_errors(response)
    assert Tag.objects.filter(slug="debt-bondage").exists()


def test_an_organisation_only_a_published_meeting_names_is_public_to_the_rule(
    client, admin_client, editor
):
    organisation = OrganisationFactory(name="Chamber of Commerce")
    MeetingFactory(published=True).organisations.add(organisation)
    client.force_login(editor)

    response = rename(client, admin_client, organisation, "Renamed")

    assert response.status_code == 403
