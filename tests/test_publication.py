"""The gate: only published content, and nothing that hangs off a draft, is public.

``published()`` is the one door from public code to content. These tests pin what it
lets through and when ``published_at`` is stamped; then that no public page, count,
facet, search or export shows a trace of unpublished content; then how staff preview
drafts at the public address while everyone else gets "page not found".

In the site-wide tests every unpublished item carries the word "Zanzibarite"
(capitalised) and nothing published does. Searches use the lower-case word, so a page
that only repeats the query back is not mistaken for a leak.
"""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import Status
from partnerships.models import ActionPoint, Insight, Meeting, Strategy
from practices.models import LessonLearned, Organisation, OrganisationType, Practice
from tests.factories import (
    ActionPointFactory,
    InsightFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    StrategyFactory,
)

pytestmark = pytest.mark.django_db

HIDDEN = [Status.DRAFT, Status.REVIEW, Status.ARCHIVED]
SECRET = "Zanzibarite"


# What published() lets through ---------------------------------------------------

PUBLISHABLE = [
    (PracticeFactory, Practice),
    (MeetingFactory, Meeting),
    (ActionPointFactory, ActionPoint),
    (LessonLearnedFactory, LessonLearned),
    (StrategyFactory, Strategy),
]
PUBLISHABLE_IDS = ["practice", "meeting", "action-point", "lesson", "strategy"]


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
    if model in (ActionPoint, Strategy):
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


@pytest.mark.parametrize(
    ("meeting_status", "is_public"),
    [(Status.DRAFT, False), (Status.ARCHIVED, False), (Status.PUBLISHED, True)],
)
def test_strategy_is_public_only_with_its_meeting(meeting_status, is_public):
    strategy = StrategyFactory(
        published=True, meeting=MeetingFactory(status=meeting_status)
    )

    assert (strategy in Strategy.objects.published()) is is_public


def test_strategy_without_a_meeting_is_public_when_published():
    assert StrategyFactory(published=True) in Strategy.objects.published()


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


@pytest.mark.parametrize("status", HIDDEN)
def test_lesson_of_several_practices_is_hidden_while_any_of_them_is(status):
    lesson = LessonLearnedFactory(published=True)
    lesson.practices.add(
        PracticeFactory(published=True), PracticeFactory(status=status)
    )
    both = LessonLearnedFactory(published=True)
    both.practices.add(PracticeFactory(published=True), PracticeFactory(published=True))

    assert list(LessonLearned.objects.published()) == [both]
    assert list(LessonLearned.objects.unpublished()) == [lesson]


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


# published_at ----------------------------------------------------------------------


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


# Nothing unpublished on any public page -----------------------------------------


@pytest.fixture
def content(taxonomy):
    """Published content, and the same kinds of content in each unpublished state."""
    t = taxonomy
    shared_org = OrganisationFactory(name="Coastal Bank")
    visible = PracticeFactory(
        published=True,
        title="Bank red flags",
        summary="Banks share red flags.",
        sectors=[t["financial"]],
        tags=["banks"],
        kind=t["fi_partnership"],
        partners=[shared_org],
    )
    visible_meeting = MeetingFactory(published=True, slug="africa-regm")
    visible_meeting.practices.add(visible)
    # A published action point drawing on the published practice and on every
    # unpublished one: only the published link may ever show.
    linked_point = ActionPointFactory(
        published=True, text="Ask banks for typologies.", sector=t["financial"]
    )
    linked_point.practices.add(visible)
    # Illustrated by the hidden practices too (added below): never linked.
    illustrated = StrategyFactory(
        published=True,
        text="Let banks and police agree on red flags.",
        sector=t["financial"],
        meeting=visible_meeting,
    )
    illustrated.practices.add(visible)
    hidden = {"practices": [], "meetings": [], "organisations": []}
    for status in HIDDEN:
        hidden_org = OrganisationFactory(
            name=f"{SECRET} Holdings {status}", type=OrganisationType.ACADEMIA
        )
        meeting_org = OrganisationFactory(name=f"{SECRET} Chamber {status}")
        practice = PracticeFactory(
            status=status,
            title=f"{SECRET} payments pilot ({status})",
            summary=f"{SECRET} summary about banks.",
            sectors=[t["financial"], t["technology"]],
            countries=[t["canada"]],
            stages=[t["recruitment"]],
            audiences=[t["labour_inspectors"]],
            kind=t["tool"],
            tags=["banks", f"{SECRET} secret"],
            partners=[shared_org, hidden_org],
            start_year=2009,
        )
        practice.sync_regions()
        visible_meeting.practices.add(practice)
        linked_point.practices.add(practice)
        meeting = MeetingFactory(
            status=status,
            slug=f"hidden-{status}",
            title=f"{SECRET} meeting ({status})",
            short_title=f"{SECRET} REGM ({status})",
        )
        meeting.practices.add(visible)
        meeting.organisations.add(meeting_org)
        InsightFactory(
            meeting=meeting, text=f"{SECRET} insight.", sector=t["financial"]
        )
        ActionPointFactory(
            status=status,
            text=f"{SECRET} action for banks ({status}).",
            sector=t["financial"],
            meeting=visible_meeting,
        )
        ActionPointFactory(
            published=True,
            text=f"{SECRET} point of a hidden meeting, about banks ({status}).",
            sector=t["financial"],
            meeting=meeting,
        )
        LessonLearnedFactory(
            status=status, text=f"{SECRET} lesson.", sector=t["financial"]
        )
        StrategyFactory(
            status=status,
            text=f"{SECRET} strategy for banks ({status}).",
            sector=t["financial"],
            meeting=visible_meeting,
        ).audiences.add(t["law_enforcement"])
        StrategyFactory(
            published=True,
            text=f"{SECRET} strategy of a hidden meeting, about banks ({status}).",
            meeting=meeting,
        ).audiences.add(t["labour_inspectors"])
        LessonLearnedFactory(
            published=True,
            text=f"{SECRET} lesson of a hidden practice.",
            practice=practice,
        )
        illustrated.practices.add(practice)
        hidden["practices"].append(practice)
        hidden["meetings"].append(meeting)
        hidden["organisations"] += [hidden_org, meeting_org]
    return {
        "visible": visible,
        "visible_meeting": visible_meeting,
        "shared_org": shared_org,
        **hidden,
    }


PUBLIC_PAGES = [
    reverse("home"),
    reverse("about"),
    reverse("practices:list"),
    reverse("practices:list") + "?sector=technology&sort=oldest",
    reverse("practices:list") + "?q=banks",
    reverse("practices:list") + "?q=zanzibarite",
    reverse("practices:list") + "?tag=zanzibarite-secret",
    reverse("practices:export"),
    reverse("practices:export") + "?q=banks",
    reverse("practices:export_bib"),
    reverse("practices:export_ris") + "?q=banks",
    reverse("partnerships:sector", args=["financial"]),
    reverse("partnerships:sector", args=["technology"]),
    reverse("search") + "?q=zanzibarite",
    reverse("search") + "?q=banks",
    # Start from your role (issue 10): the hidden practices serve labour inspectors.
    reverse("partnerships:audience_list"),
    reverse("partnerships:audience_detail", args=["labour-inspectors"]),
    reverse("partnerships:audience_detail", args=["law-enforcement"]),
    reverse("partnerships:meeting_list"),
    reverse("partnerships:meeting_detail", args=["africa-regm"]),
    reverse("partnerships:action_point_list"),
    reverse("partnerships:action_point_list") + "?q=banks",
    reverse("partnerships:action_point_list") + "?sector=financial",
    reverse("partnerships:action_point_export"),
    reverse("partnerships:action_point_export") + "?q=banks",
    reverse("api:action_point_list"),
    reverse("api:action_point_list") + "?q=banks",
    reverse("partnerships:strategy_list"),
    reverse("partnerships:strategy_list") + "?q=banks",
    reverse("partnerships:strategy_list") + "?sector=financial&sector=none",
    reverse("partnerships:strategy_list") + "?audience=labour-inspectors",
    reverse("partnerships:strategy_export"),
    reverse("partnerships:strategy_export") + "?q=banks",
    reverse("api:strategy_list"),
    reverse("api:strategy_list") + "?q=banks",
    reverse("practices:lesson_list") + "?sector=none",
    reverse("practices:organisation_list"),
    # Partnership composition, the gap matrix and their files (issue 11).
    reverse("practices:list") + "?with=academia",
    reverse("practices:list") + "?with=ngo&with=academia&q=banks",
    reverse("practices:export") + "?with=academia",
    reverse("practices:export") + "?with=ngo&q=banks",
    reverse("api:practice_list") + "?with=academia",
    reverse("api:practice_list") + "?with=ngo",
    reverse("gaps"),
    reverse("gaps") + "?with=academia",
    reverse("gaps") + "?q=zanzibarite",
    *(
        reverse(name, args=[table])
        for name in ("gaps_csv", "gaps_json")
        for table in (
            "sector-region",
            "sector-stage",
            "sector-partner-type",
            "audience-sector",
        )
    ),
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_no_public_page_shows_unpublished_content(client, content, body, url):
    response = client.get(url)

    assert response.status_code == 200
    assert SECRET not in body(response)


def test_practice_and_organisation_pages_show_no_unpublished_content(client, content):
    for obj in (content["visible"], content["shared_org"]):
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert SECRET not in response.text


def test_citations_name_no_unpublished_content(client, content, body):
    visible = content["visible"].slug
    for renderer in ("bib", "ris", "csl"):
        response = client.get(
            reverse(f"practices:cite_{renderer}", kwargs={"slug": visible})
        )
        assert response.status_code == 200
        assert SECRET not in body(response)
    for practice in content["practices"]:
        response = client.get(
            reverse("practices:cite_ris", kwargs={"slug": practice.slug})
        )
        assert response.status_code == 404


def test_organisations_named_only_by_unpublished_content_are_not_found(client, content):
    for organisation in content["organisations"]:
        response = client.get(organisation.get_absolute_url())
        assert response.status_code == 404, organisation


def test_counts_leave_out_unpublished_content(client, content):
    home = client.get(reverse("home"))
    sectors = {sector.slug: sector.practice_count for sector in home.context["sectors"]}
    assert sectors == {"supply-chain": 0, "financial": 1, "technology": 0}
    assert home.context["provenance_counts"]["total"] == 1
    assert home.context["meeting_count"] == 1
    assert home.context["action_point_count"] == 1

    financial = client.get(reverse("partnerships:sector", args=["financial"]))
    assert financial.context["practice_count"] == 1
    assert [point.text for point in financial.context["action_points"]] == [
        "Ask banks for typologies."
    ]
    assert list(financial.context["insights"]) == []
    assert list(financial.context["lessons"]) == []
    technology = client.get(reverse("partnerships:sector", args=["technology"]))
    assert technology.context["practice_count"] == 0
    assert "No published practices yet." in technology.text

    meetings = client.get(reverse("partnerships:meeting_list"))
    (meeting,) = meetings.context["meetings"]
    assert (meeting.insight_count, meeting.action_point_count) == (0, 0)
    assert meeting.slug == "africa-regm"

    organisations = client.get(reverse("practices:organisation_list"))
    assert [
        (o.name, o.practice_count) for o in organisations.context["organisations"]
    ] == [("Coastal Bank", 1)]


def test_strategy_list_counts_and_links_only_published_content(client, content):
    response = client.get(reverse("partnerships:strategy_list"))

    assert response.context["result_count"] == 1
    (strategy,) = response.context["object_list"]
    assert list(strategy.practices.all()) == [content["visible"]]
    options = {
        group["param"]: {
            option["value"]: option["count"] for option in group["options"]
        }
        for group in response.context["facet_groups"]
    }
    assert options == {
        "sector": {"financial": 1},
        "audience": {},
        "meeting": {"africa-regm": 1},
    }
    assert SECRET not in response.text
    answer = client.get(reverse("api:strategy_list")).json()
    assert answer["count"] == 1
    assert answer["results"][0]["practices"] == ["Bank red flags"]


def test_facet_counts_leave_out_unpublished_practices(client, content):
    response = client.get(reverse("practices:list"))

    options = {
        group["param"]: {
            option["value"]: option["count"] for option in group["options"]
        }
        for group in response.context["facet_groups"]
    }
    assert options == {
        "sector": {"financial": 1},
        "region": {},
        "country": {},
        "partner_type": {"ngo": 1},
        "with": {"ngo": 1},
        "audience": {},
        "stage": {},
        "kind": {"financial-intelligence-partnership": 1},
        "provenance": {"documented_elsewhere": 1},
        "maturity": {"not_assessed": 1},
        "tag": {"banks": 1},
        "year_from": {"2010": 1},
    }


def test_searches_find_nothing_unpublished(client, content):
    practices = client.get(reverse("practices:list"), {"q": "zanzibarite"})
    assert practices.context["result_count"] == 0

    everything = client.get(reverse("search"), {"q": "zanzibarite"})
    assert everything.context["total"] == 0

    banks = client.get(reverse("search"), {"q": "banks"})
    found = {
        group["key"]: [str(item) for item in group["results"]]
        for group in banks.context["groups"]
    }
    assert found["practices"] == ["Bank red flags"]
    assert found["action_points"] == ["Ask banks for typologies."]
    assert found["strategies"] == ["Let banks and police agree on red flags."]

    points = client.get(reverse("partnerships:action_point_list"), {"q": "banks"})
    assert [p.text for p in points.context["object_list"]] == [
        "Ask banks for typologies."
    ]


@pytest.mark.parametrize(
    "url",
    [
        reverse("practices:list"),
        reverse("search"),
        reverse("partnerships:action_point_list"),
        reverse("practices:lesson_list"),
        reverse("partnerships:meeting_list"),
        reverse("practices:organisation_list"),
        reverse("partnerships:strategy_list"),
    ],
)
def test_did_you_mean_never_spells_out_unpublished_words(client, content, url):
    response = client.get(url, {"q": "zanzibarit"})

    assert response.status_code == 200
    assert not response.context.get("did_you_mean")
    assert SECRET.lower() not in response.text.lower()


def test_snippets_show_no_unpublished_text(client, content):
    for url in (reverse("practices:list"), reverse("search")):
        response = client.get(url, {"q": "banks"})
        assert "<mark>" in response.text
        assert SECRET not in response.text


def test_related_practices_leave_out_unpublished_ones(client, content):
    response = client.get(content["visible"].get_absolute_url())

    assert list(response.context["related_practices"]) == []
    assert [m.slug for m in response.context["meetings"]] == ["africa-regm"]
    assert SECRET not in response.text


def test_an_unpublished_meeting_is_not_a_filter_option(client, content):
    slugs = [meeting.slug for meeting in content["meetings"]]
    response = client.get(reverse("partnerships:action_point_list"), {"meeting": slugs})

    meetings = [
        option["value"]
        for group in response.context["facet_groups"]
        if group["param"] == "meeting"
        for option in group["options"]
    ]
    assert meetings == []
    for slug in slugs:
        assert f"“{slug}” is not a known meeting; it was ignored." in response.text
    assert response.context["result_count"] == 1


def test_composition_counts_leave_out_unpublished_practices(client, content):
    # Only the drafts have an academic partner, with the NGO both sides share.
    academia = client.get(reverse("practices:list"), {"with": "academia"})
    ngo = client.get(reverse("api:practice_list"), {"with": "ngo"}).json()

    assert academia.context["result_count"] == 0
    assert ngo["count"] == 1
    (facet,) = [f for f in ngo["facets"] if f["param"] == "with"]
    assert {o["value"]: o["count"] for o in facet["options"]} == {"ngo": 1}


def test_gap_matrix_counts_leave_out_unpublished_content(client, content):
    response = client.get(reverse("gaps"))

    totals = {
        table.slug: sum(cell["count"] for row in table.rows for cell in row["cells"])
        for table in response.context["tables"]
    }
    # One published practice in one sector, with no region or stage, one NGO
    # partner; one published action point (with a published meeting or none).
    assert totals == {
        "sector-region": 0,
        "sector-stage": 0,
        "sector-partner-type": 1,
        "audience-sector": 1,
    }


def test_compare_treats_unpublished_practices_as_unknown(client, content):
    visible = content["visible"].slug
    for practice in content["practices"]:
        response = client.get(
            reverse("practices:compare"), {"p": [visible, practice.slug]}
        )
        assert SECRET not in response.text
        assert response.context["practices"] == []
        assert (
            f"No published practice has the address “{practice.slug}”; it was left out."
            in response.context["compare_messages"]
        )
    alone = client.get(reverse("practices:compare"), {"p": [visible, "nope"]})
    assert alone.text.replace("nope", "") == response.text.replace(practice.slug, "")


def test_a_published_action_point_never_shows_its_unpublished_practices(
    client, content, body, read_csv
):
    hidden_urls = [practice.get_absolute_url() for practice in content["practices"]]
    pages = [
        reverse("partnerships:action_point_list"),
        reverse("api:action_point_list"),
        reverse("partnerships:action_point_export"),
        content["visible"].get_absolute_url(),
    ]

    for url in pages:
        text = body(client.get(url))
        assert SECRET not in text
        assert not [hidden for hidden in hidden_urls if hidden in text]
    (row,) = read_csv(client.get(reverse("partnerships:action_point_export")))
    assert row["practices"] == content["visible"].slug
    assert row["practice_titles"] == "Bank red flags"
    (item,) = client.get(reverse("api:action_point_list")).json()["results"]
    assert item["practices"] == [content["visible"].slug]
    listed = client.get(reverse("partnerships:action_point_list")).text
    assert f'href="{content["visible"].get_absolute_url()}"' in listed


def test_the_csv_exports_only_published_rows(client, content, read_csv):
    practices = read_csv(client.get(reverse("practices:export")))
    points = read_csv(client.get(reverse("partnerships:action_point_export")))

    assert [row["title"] for row in practices] == ["Bank red flags"]
    assert [row["action"] for row in points] == ["Ask banks for typologies."]


# Draft preview at the public address --------------------------------------------

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


@pytest.mark.parametrize("factory", PREVIEWABLE)
def test_staff_without_the_view_permission_get_not_found_for_drafts(
    client, django_user_model, factory
):
    # Staff status alone (say, an account that only manages users) previews nothing.
    user = django_user_model.objects.create_user(
        username="staff-only", password="correct horse battery staple", is_staff=True
    )
    client.force_login(user)
    draft = factory(status=Status.DRAFT, title="Confidential draft title")
    published = factory(published=True)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 404
    assert "Confidential draft title" not in response.text
    assert client.get(published.get_absolute_url()).status_code == 200


def test_staff_preview_only_the_models_they_may_view(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="practice-viewer",
        password="correct horse battery staple",
        is_staff=True,
    )
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="practices", codename="view_practice"
        )
    )
    client.force_login(user)

    practice = PracticeFactory(status=Status.DRAFT)
    meeting = MeetingFactory(status=Status.DRAFT)

    assert client.get(practice.get_absolute_url()).status_code == 200
    assert client.get(meeting.get_absolute_url()).status_code == 404
