"""Provenance stated exactly, maturity with its evidence, and the counts the home and
About pages compute from them."""

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.listing.cache import bump_content_version
from core.models import Status
from practices.models import COMPENDIUM_URL, Maturity, Practice, Provenance
from tests.factories import MeetingFactory, PracticeFactory, PracticeSourceFactory
from tests.test_admin import admin_url, form_errors, rendered_form_data

pytestmark = pytest.mark.django_db

MEETING_SOURCE = "https://www.unodc.org/unodc/en/frontpage/2020/regm.html"


def body_of(response):
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return body.decode()


def text_of(response):
    return re.sub(r"\s+", " ", body_of(response))


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))


def practice_at(meeting, kind, **kwargs):
    """A published practice whose provenance is ``kind`` at ``meeting``."""
    practice = PracticeFactory(
        published=True,
        provenance=kind,
        provenance_source_url=MEETING_SOURCE,
        **kwargs,
    )
    PracticeSourceFactory(practice=practice, url=MEETING_SOURCE, title="UNODC news")
    getattr(practice, kind.meeting_relation).add(meeting)
    return practice


@pytest.fixture
def meeting():
    return MeetingFactory(
        published=True, title="Americas Regional Expert Group Meeting"
    )


def test_practice_page_states_its_provenance_meeting_source_and_the_compendium(
    client, meeting
):
    practice = practice_at(meeting, Provenance.ORGANISATION)

    text = text_of(client.get(practice.get_absolute_url()))

    note = re.search(r'<p class="provenance.*?</p>', text).group(0)
    assert "An organisation behind it took part in a UNODC meeting" in note
    assert f'<a href="{meeting.get_absolute_url()}">{meeting.title}</a>' in note
    assert f'<a href="{MEETING_SOURCE}" rel="noopener external">UNODC news</a>' in note
    assert f'href="{COMPENDIUM_URL}"' in note


def test_a_comparator_names_no_meeting_and_still_links_the_compendium(client, meeting):
    practice = PracticeFactory(published=True)
    meeting.practices.add(practice)  # a stray link says nothing about a comparator

    note = re.search(
        r'<p class="provenance.*?</p>', text_of(client.get(practice.get_absolute_url()))
    ).group(0)

    assert "Comparable practice documented elsewhere" in note
    assert meeting.title not in note
    assert f'href="{COMPENDIUM_URL}"' in note


def test_footer_and_about_page_link_the_compendium_at_unodc(client):
    for url in (reverse("home"), reverse("about")):
        assert f'href="{COMPENDIUM_URL}"' in text_of(client.get(url))


def test_a_draft_meeting_behind_a_published_practice_never_appears(client):
    draft = MeetingFactory(title="Secret draft meeting", slug="secret-draft")
    practice = practice_at(draft, Provenance.PRESENTED)

    page = text_of(client.get(practice.get_absolute_url()))
    export = text_of(client.get(reverse("practices:export")))
    api = text_of(client.get(reverse("api:practice_list")))
    detail = text_of(client.get(reverse("api:practice_detail", args=[practice.slug])))

    # The practice says what it can without the draft: its kind and its source.
    assert "Presented or discussed at a UNODC meeting" in page
    assert MEETING_SOURCE in page
    for public in (page, export, api, detail):
        assert "Secret draft meeting" not in public
        assert "secret-draft" not in public


@pytest.mark.parametrize(
    ("param", "value", "field"),
    [
        ("provenance", Provenance.PRESENTED, "provenance"),
        ("provenance", Provenance.DOCUMENTED_ELSEWHERE, "provenance"),
        ("maturity", Maturity.EVALUATED, "maturity"),
        ("maturity", Maturity.NOT_ASSESSED, "maturity"),
    ],
)
def test_provenance_and_maturity_filter_the_list_and_count_in_their_facets(
    client, meeting, param, value, field
):
    presented = practice_at(
        meeting,
        Provenance.PRESENTED,
        maturity=Maturity.EVALUATED,
        maturity_source_url=MEETING_SOURCE,
    )
    comparators = PracticeFactory.create_batch(2, published=True)
    PracticeFactory(provenance=Provenance.PRESENTED)  # a draft counts nowhere
    expected = {p.slug for p in [presented, *comparators] if getattr(p, field) == value}

    answer = client.get(reverse("api:practice_list"), {param: value.value}).json()
    listed = {row["url"].rstrip("/").rsplit("/", 1)[-1] for row in answer["results"]}
    facets = client.get(reverse("api:practice_list")).json()["facets"]
    (options,) = [facet["options"] for facet in facets if facet["param"] == param]
    facet = {option["value"]: option["count"] for option in options}
    page = text_of(client.get(reverse("practices:list"), {param: value.value}))

    assert listed == expected
    assert facet.get(value.value, 0) == len(expected)
    assert f"{len(expected)} practice" in page


def test_exports_carry_provenance_meeting_source_and_maturity(client, meeting):
    practice = practice_at(
        meeting,
        Provenance.ORGANISATION,
        maturity=Maturity.SCALED,
        maturity_source_url=MEETING_SOURCE,
    )

    (row,) = csv_rows(client.get(reverse("practices:export")))
    (item,) = client.get(reverse("api:practice_list")).json()["results"]

    assert row["title"] == practice.title
    assert row["provenance"] == Provenance.ORGANISATION.label
    assert row["provenance_meetings"] == meeting.title
    assert row["provenance_source"] == MEETING_SOURCE
    assert row["maturity"] == "Scaled"
    assert row["maturity_source"] == MEETING_SOURCE
    assert item["provenance_meetings"] == [meeting.title]
    assert item["maturity"] == "Scaled"


def test_practice_page_shows_maturity_its_source_and_no_published_outcome(client):
    practice = PracticeFactory(
        published=True,
        outcomes="",
        maturity=Maturity.IMPLEMENTED,
        maturity_source_url="https://example.org/law",
    )
    PracticeSourceFactory(
        practice=practice, url="https://example.org/law", title="The law"
    )

    text = text_of(client.get(practice.get_absolute_url()))
    maturity = re.search(r"<dt>Maturity</dt>.*?</dd>", text).group(0)

    assert "Implemented" in maturity
    assert '<a href="https://example.org/law" rel="noopener external">The law</a>' in (
        maturity
    )
    assert "no published outcome" in maturity


def test_about_page_renders_the_maturity_rubric_from_the_labels(client):
    text = text_of(client.get(reverse("about")))

    for label in Maturity:
        assert f"{label.label}</a></dt><dd>{label.description}</dd>" in text


def counts_sentence(client, url):
    text = text_of(client.get(url))
    return re.search(r'<p class="provenance-counts">(.*?)</p>', text).group(1)


def plain(sentence):
    return re.sub(r"<[^>]+>", "", sentence)


def test_home_and_about_counts_follow_the_published_data(client, meeting):
    practice_at(meeting, Provenance.PRESENTED)
    organisation = practice_at(meeting, Provenance.ORGANISATION)
    PracticeFactory.create_batch(3, published=True)
    draft = PracticeFactory()

    for url in (reverse("home"), reverse("about")):
        assert plain(counts_sentence(client, url)) == (
            "5 practices: 1 presented or discussed at a UNODC meeting, 1 whose "
            "organisation took part in a UNODC meeting, 3 comparable practices "
            "documented elsewhere."
        )

    draft.status = Status.PUBLISHED
    draft.save()
    organisation.status = Status.DRAFT
    organisation.save()
    Practice.objects.filter(provenance=Provenance.PRESENTED).update(
        provenance=Provenance.ORGANISATION
    )
    # A bulk update reports itself, as every writer that bypasses save() must: the
    # counts, like the list's facets, come from the facet index of this version.
    bump_content_version()

    for url in (reverse("home"), reverse("about")):
        assert plain(counts_sentence(client, url)) == (
            "5 practices: 0 presented or discussed at a UNODC meeting, 1 whose "
            "organisation took part in a UNODC meeting, 4 comparable practices "
            "documented elsewhere."
        )


def test_home_no_longer_claims_everything_comes_from_the_meetings(client):
    PracticeFactory(published=True)

    text = text_of(client.get(reverse("home")))

    assert "from UNODC's Regional Expert Group Meetings" not in text


# -- the admin holds the rules -------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("boss", "b@example.org", "pw")
    client.force_login(user)
    return client


# The inline formsets' prefixes: the meeting's relation, from the practice's side.
INLINE_PREFIX = {
    "meetings": "Meeting_practices",
    "organisation_meetings": "Meeting_organisation_practices",
}


def post_practice(client, practice, meeting=None, relation="meetings", **changes):
    url = admin_url(Practice, "change", practice.pk)
    data = rendered_form_data(client.get(url))
    data.update({key: str(value) for key, value in changes.items()})
    if meeting is not None:
        prefix = INLINE_PREFIX[relation]
        assert f"{prefix}-TOTAL_FORMS" in data
        data[f"{prefix}-TOTAL_FORMS"] = "1"
        data[f"{prefix}-0-meeting"] = str(meeting.pk)
    return client.post(url, data)


@pytest.mark.parametrize(
    ("changes", "with_meeting", "relation", "saved"),
    [
        # The first two kinds name their meeting and their source.
        ({"provenance": "presented"}, True, "meetings", False),
        (
            {"provenance": "presented", "provenance_source_url": MEETING_SOURCE},
            False,
            "meetings",
            False,
        ),
        (
            {"provenance": "presented", "provenance_source_url": MEETING_SOURCE},
            True,
            "meetings",
            True,
        ),
        (
            {"provenance": "organisation", "provenance_source_url": MEETING_SOURCE},
            True,
            "organisation_meetings",
            True,
        ),
        # A meeting in the wrong relation for the kind is refused.
        (
            {"provenance": "organisation", "provenance_source_url": MEETING_SOURCE},
            True,
            "meetings",
            False,
        ),
        # A comparator names neither.
        ({"provenance_source_url": MEETING_SOURCE}, False, "meetings", False),
        ({}, True, "organisation_meetings", False),
        ({}, False, "meetings", True),
    ],
)
def test_admin_holds_practices_to_the_provenance_rules(
    superuser_client, meeting, changes, with_meeting, relation, saved
):
    practice = PracticeFactory()

    response = post_practice(
        superuser_client,
        practice,
        meeting if with_meeting else None,
        relation,
        **changes,
    )

    assert (response.status_code == 302) is saved, form_errors(response)
    practice.refresh_from_db()
    assert (
        practice.provenance == changes.get("provenance", "documented_elsewhere")
    ) is (saved or "provenance" not in changes)


def test_admin_refuses_a_maturity_label_without_its_source(superuser_client):
    practice = PracticeFactory()

    refused = post_practice(superuser_client, practice, maturity="evaluated")
    accepted = post_practice(
        superuser_client,
        practice,
        maturity="evaluated",
        maturity_source_url="https://example.org/evaluation",
    )

    assert refused.status_code == 200
    assert "Give the source that supports the label." in refused.text
    assert accepted.status_code == 302, form_errors(accepted)
