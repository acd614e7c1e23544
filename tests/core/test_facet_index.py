"""The in-process facet index (core.listing.index) counts exactly what the SQL counts
of the facet classes count, on any data and any filters; drafts never count; and a
publish or an unpublish, made in this process or another, is counted at the very next
request."""

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.listing import index
from core.listing.cache import bump_content_version, content_version
from core.models import ContentVersion, Status
from practices.filters import OrganisationFilterSet, PracticeFilterSet
from practices.models import Organisation, OrganisationType, Practice, PracticePartner
from practices.views import related_practices
from tests.factories import (
    OrganisationFactory,
    PracticeFactory,
    build_taxonomy,
)
from tests.test_security import sector_count

#: Examples that write rows: no deadline, and no shrinking, which would replay
#: database writes for minutes (the failing draw is printed as it is).
DATABASE_EXAMPLES = settings(
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
TAGS = ["screening", "hotline", "audit", "payments"]
WORDS = ["bank", "supplier", "platform"]
TYPES = [OrganisationType.NGO, OrganisationType.FINANCIAL_INSTITUTION]


def some(draw, values, most=None):
    return draw(
        st.lists(st.sampled_from(values), unique=True, max_size=most or len(values))
    )


@st.composite
def practices(draw, vocabulary):
    """A practice's fields: any status, any subset of each vocabulary."""
    return {
        "status": draw(st.sampled_from(list(Status))),
        "title": f"{draw(st.sampled_from(WORDS))} partnership",
        "kind": draw(st.sampled_from(vocabulary["kinds"])),
        "start_year": draw(st.none() | st.integers(1990, 2029)),
        "sectors": some(draw, vocabulary["sectors"], 2),
        "regions": some(draw, vocabulary["regions"]),
        "countries": some(draw, vocabulary["countries"], 2),
        "stages": some(draw, vocabulary["stages"]),
        "audiences": some(draw, vocabulary["audiences"]),
        "tags": some(draw, TAGS, 3),
        "partners": some(draw, vocabulary["organisations"], 3),
    }


def choices(draw, param, values):
    """A few values of ``param`` (an unknown one sometimes), or none."""
    chosen = some(draw, [*values, "no-such-value"], 2)
    return [(param, value) for value in chosen]


@st.composite
def practice_queries(draw, vocabulary):
    params = []
    params += choices(draw, "sector", [s.slug for s in vocabulary["sectors"]])
    params += choices(draw, "region", [r.slug for r in vocabulary["regions"]])
    params += choices(draw, "country", [str(c.code) for c in vocabulary["countries"]])
    params += choices(draw, "partner_type", TYPES)
    params += choices(draw, "with", TYPES)
    params += choices(draw, "stage", [s.slug for s in vocabulary["stages"]])
    params += choices(draw, "kind", [k.slug for k in vocabulary["kinds"]])
    params += choices(draw, "tag", TAGS)
    if draw(st.booleans()):
        params.append(("year_from", str(draw(st.integers(1985, 2030)))))
    if draw(st.booleans()):
        params.append(("year_to", str(draw(st.integers(1985, 2030)))))
    if draw(st.booleans()):
        params.append(("q", draw(st.sampled_from(WORDS))))
    return params


def query_dict(params):
    query = QueryDict(mutable=True)
    for name, value in params:
        query.appendlist(name, value)
    return query


def assert_same_counts(filterset_class, query):
    model = filterset_class._meta.model
    filterset = filterset_class(query, queryset=model._default_manager.published())
    for facet in filterset.facets:
        from_index = index.counts(facet, filterset)
        assert from_index is not None, f"{facet.param} is not served by the index"
        assert from_index == facet.counts(filterset), (facet.param, query.urlencode())


@pytest.fixture
def vocabulary(taxonomy):
    return {
        "sectors": [taxonomy[k] for k in ("supply", "financial", "technology")],
        "regions": [
            taxonomy[k]
            for k in ("africa", "sub_saharan", "americas", "northern_america")
        ],
        "countries": [taxonomy[k] for k in ("canada", "nigeria", "ivory_coast")],
        "stages": [taxonomy["recruitment"], taxonomy["financial_flows"]],
        "audiences": [taxonomy["law_enforcement"], taxonomy["labour_inspectors"]],
        "kinds": [taxonomy["fi_partnership"], taxonomy["tool"]],
        "organisations": [
            OrganisationFactory(type=TYPES[0]),
            OrganisationFactory(type=TYPES[0]),
            OrganisationFactory(type=TYPES[1], country=taxonomy["canada"]),
        ],
    }


def make(fields):
    return PracticeFactory(**fields)


@settings(DATABASE_EXAMPLES, max_examples=20)
@given(data=st.data())
def test_the_index_counts_what_sql_counts_on_any_data_and_filters(vocabulary, data):
    # Examples add to the rows of the examples before: the data only grows richer.
    for fields in data.draw(st.lists(practices(vocabulary), min_size=1, max_size=4)):
        make(fields)
    for _ in range(3):
        query = query_dict(data.draw(practice_queries(vocabulary)))
        assert_same_counts(PracticeFilterSet, query)
        # Organisations: a sector counts only through their published practices.
        organisation_query = QueryDict(mutable=True)
        organisation_query.setlist("sector", query.getlist("sector"))
        organisation_query.setlist("type", query.getlist("partner_type"))
        organisation_query.setlist("country", query.getlist("country"))
        assert_same_counts(OrganisationFilterSet, organisation_query)


@settings(DATABASE_EXAMPLES, max_examples=15)
@given(data=st.data())
def test_related_practices_from_the_index_are_those_of_sql(vocabulary, data, settings):
    for fields in data.draw(st.lists(practices(vocabulary), min_size=1, max_size=5)):
        make(fields)
    # A pool smaller than the matches, so that its ties (by key) decide.
    candidates = data.draw(st.integers(1, 3))
    for practice in Practice.objects.all():
        found = {}
        for indexed in (True, False):
            settings.FACET_INDEX = indexed
            found[indexed] = [
                (related.pk, related.shared)
                for related in related_practices(practice, candidates=candidates)
            ]
        assert found[True] == found[False], practice.pk


def test_drafts_never_count_even_when_their_values_are_chosen(vocabulary, client):
    financial = vocabulary["sectors"][1]
    PracticeFactory(published=True, sectors=[financial], tags=["audit"])
    for status in (Status.DRAFT, Status.REVIEW, Status.ARCHIVED):
        PracticeFactory(
            status=status,
            sectors=[vocabulary["sectors"][2]],
            tags=["secret-plan"],
            partners=[vocabulary["organisations"][2]],
            start_year=1991,
        )
    query = QueryDict("sector=technology&tag=secret-plan&year_from=1990&year_to=1999")
    filterset = PracticeFilterSet(query, queryset=Practice.objects.published())
    counted = {
        facet.param: index.counts(facet, filterset) for facet in filterset.facets
    }

    assert all(not found for found in counted.values()), counted
    page = client.get("/practices/").content.decode()
    assert "Technology sector" not in page
    assert "secret-plan" not in page
    assert "1990s" not in page


@pytest.mark.django_db(transaction=True)
def test_a_publish_or_unpublish_is_counted_at_the_next_request(client):
    taxonomy = build_taxonomy()
    financial = taxonomy["financial"]
    practice = PracticeFactory(published=True, sectors=[financial])
    assert sector_count(client.get("/practices/"), "Financial sector") == 1
    assert index._indexes, "the page counted its facets from the index"

    practice.status = Status.DRAFT
    practice.save()
    assert sector_count(client.get("/practices/"), "Financial sector") == 0

    # Another process: rows and version change in the database, this one is not
    # told, and the index it holds is of the version before.
    Practice.objects.filter(pk=practice.pk).update(status=Status.PUBLISHED)
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET version = version + 1")
    assert sector_count(client.get("/practices/"), "Financial sector") == 1


def test_a_version_never_comes_back_after_a_rollback(db):
    before = content_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        bump_content_version()
        rolled_back = content_version()
        raise RuntimeError
    assert content_version() == before
    bump_content_version()
    assert content_version() not in (before, rolled_back)


def test_an_all_of_value_no_published_row_carries_leaves_no_rows(vocabulary):
    PracticeFactory(
        published=True, start_year=1995, partners=[vocabulary["organisations"][0]]
    )
    PracticeFactory(start_year=1995, partners=[vocabulary["organisations"][2]])
    query = QueryDict("with=ngo&with=financial_institution&year_from=2000")

    assert_same_counts(PracticeFilterSet, query)
    filterset = PracticeFilterSet(query, queryset=Practice.objects.published())
    (years,) = [facet for facet in filterset.facets if facet.param == "year_from"]
    assert index.counts(years, filterset) == {}


@pytest.fixture
def full_reads(monkeypatch):
    """The models whose index was read whole (not caught up from the change log)."""
    read = []
    original = index.ModelIndex.__init__

    def reading(self, model, using, version):
        read.append(model._meta.label)
        original(self, model, using, version)

    monkeypatch.setattr(index.ModelIndex, "__init__", reading)
    return read


EDIT_QUERIES = [
    "",
    "sector=financial&region=africa",
    "partner_type=ngo&tag=audit",
    "with=ngo&with=financial_institution&kind=tool",
    "year_from=2000&year_to=2019&stage=recruitment",
]


def assert_every_query_counts_as_sql():
    for query in EDIT_QUERIES:
        assert_same_counts(PracticeFilterSet, QueryDict(query))
        assert_same_counts(
            OrganisationFilterSet, QueryDict(query.replace("partner_type", "type"))
        )


def publish(practice, vocabulary):
    practice.status = Status.PUBLISHED
    practice.save()


def unpublish(practice, vocabulary):
    practice.status = Status.DRAFT
    practice.save()


def change_relations(practice, vocabulary):
    practice.sectors.add(vocabulary["sectors"][0])
    practice.sectors.remove(vocabulary["sectors"][1])
    practice.regions.set([vocabulary["regions"][0]])
    practice.tags.add("audit")
    practice.tags.remove("payments")
    practice.partners.all().delete()
    PracticePartner.objects.create(
        practice=practice, organisation=vocabulary["organisations"][0], order=0
    )


def change_columns(practice, vocabulary):
    practice.kind = vocabulary["kinds"][1]
    practice.start_year = 2011
    practice.save()


def move_a_partner(practice, vocabulary):
    # The role moves to another practice: both practices' partners change.
    role = PracticePartner.objects.filter(practice=practice).first()
    role.practice = PracticeFactory(published=True)
    role.save()


def delete(practice, vocabulary):
    practice.delete()


@pytest.mark.parametrize(
    "edit",
    [publish, unpublish, change_relations, change_columns, move_a_partner, delete],
)
@pytest.mark.parametrize("published", [True, False])
def test_an_edit_is_counted_at_the_next_request_without_reading_all_again(
    vocabulary, full_reads, edit, published
):
    financial, technology = vocabulary["sectors"][1:3]
    for n in range(4):
        PracticeFactory(
            published=True,
            sectors=[financial, technology][: n % 2 + 1],
            regions=[vocabulary["regions"][n % 4]],
            tags=["audit", "payments"][: n % 2 + 1],
            partners=vocabulary["organisations"][n % 2 :],
            start_year=2000 + n,
            kind=vocabulary["kinds"][n % 2],
        )
    practice = PracticeFactory(
        published=published,
        sectors=[financial],
        regions=[vocabulary["regions"][1]],
        tags=["payments"],
        partners=[vocabulary["organisations"][2]],
        start_year=2005,
        kind=vocabulary["kinds"][0],
    )
    assert_every_query_counts_as_sql()
    full_reads.clear()

    edit(practice, vocabulary)

    assert_every_query_counts_as_sql()
    # Organisations are published by their practices: that index is read again.
    assert "practices.Practice" not in full_reads


def update_and_bump(vocabulary):
    # A QuerySet.update() reports no rows: everything is read again.
    Organisation.objects.filter(pk=vocabulary["organisations"][0].pk).update(
        type=TYPES[1]
    )
    bump_content_version()


def change_an_organisation_type(vocabulary):
    # The partner-type facet reads the type through the organisation.
    organisation = vocabulary["organisations"][1]
    organisation.type = TYPES[1]
    organisation.save()


def delete_a_sector(vocabulary):
    vocabulary["sectors"][1].delete()


def publish_in_bulk(vocabulary):
    Practice.objects.filter(status=Status.DRAFT).update(status=Status.PUBLISHED)
    bump_content_version()


@pytest.mark.parametrize(
    "edit",
    [update_and_bump, change_an_organisation_type, delete_a_sector, publish_in_bulk],
)
def test_a_change_the_log_cannot_follow_row_by_row_is_read_again(
    vocabulary, full_reads, edit
):
    for n in range(3):
        PracticeFactory(
            published=n != 2,
            sectors=vocabulary["sectors"][n : n + 2],
            partners=vocabulary["organisations"][n:],
            tags=["audit"],
        )
    assert_every_query_counts_as_sql()

    edit(vocabulary)

    assert_every_query_counts_as_sql()


@pytest.mark.django_db(transaction=True)
def test_a_publish_rolled_back_is_never_counted(client):
    taxonomy = build_taxonomy()
    financial = taxonomy["financial"]
    practice = PracticeFactory(sectors=[financial])
    PracticeFactory(published=True, sectors=[financial])
    assert sector_count(client.get("/practices/"), "Financial sector") == 1

    # The index is caught up inside the transaction, which then rolls back.
    with pytest.raises(RuntimeError), transaction.atomic():
        practice.status = Status.PUBLISHED
        practice.save()
        assert sector_count(client.get("/practices/"), "Financial sector") == 2
        raise RuntimeError

    PracticeFactory(published=True, tags=["audit"])  # a later, unrelated edit
    assert sector_count(client.get("/practices/"), "Financial sector") == 1


def test_the_change_log_names_the_rows_an_edit_touched(vocabulary):
    from core.models import ContentChange

    practice = PracticeFactory(published=True)
    last = ContentChange.objects.order_by("-version").first().version
    practice.sectors.add(vocabulary["sectors"][0])
    (change,) = ContentChange.objects.filter(version__gt=last)
    through = Practice.sectors.through._meta.label
    assert change.changes == [
        [through, "practices.Practice", practice.pk],
        [through, "practices.Sector", vocabulary["sectors"][0].pk],
    ]
    assert change.previous == last
