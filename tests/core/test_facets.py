"""Each kind of facet counts its options on factory data (core.listing.facets), and
``displayed()`` readies them for the page; a facet or list declared wrongly fails
when its class is made."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict

from core.listing.facets import (
    SHOWN,
    AllOfFacet,
    ColumnFacet,
    RelationFacet,
    TagFacet,
    TreeFacet,
    YearRangeFacet,
    displayed,
)
from core.listing.filters import ChoicesFilter, ListFilterSet, SlugFilter
from practices.filters import CountryFacet, PracticeFilterSet
from practices.models import (
    Country,
    OrganisationType,
    PartnershipKind,
    Practice,
    Provenance,
    Region,
    Sector,
)
from tests.factories import OrganisationFactory, PracticeFactory

pytestmark = pytest.mark.django_db


class ProvenanceFilterSet(ListFilterSet):
    """A facet on a column with choices (no public list has one yet)."""

    provenance = ChoicesFilter(
        choices=Provenance.choices,
        field_name="provenance",
        label="Provenance",
        facet=True,
    )

    class Meta:
        model = Practice
        fields = []


def group(filterset_class, param, query=""):
    """The counted group of facet ``param`` for ``query``, over published rows."""
    filterset = filterset_class(QueryDict(query), queryset=Practice.objects.published())
    (facet,) = [facet for facet in filterset.facets if facet.param == param]
    return facet.group(filterset)


def counts(found):
    return {option["value"]: option["count"] for option in found["options"]}


# Each kind on factory data -----------------------------------------------------------


def test_column_facet_on_a_foreign_key_counts_published_rows_per_value(taxonomy):
    tool, fi = taxonomy["tool"], taxonomy["fi_partnership"]
    PracticeFactory.create_batch(2, published=True, kind=tool)
    PracticeFactory(published=True, kind=fi, sectors=[taxonomy["financial"]])
    PracticeFactory(kind=fi)  # a draft

    found = group(PracticeFilterSet, "kind")

    assert found["label"] == "Kind of partnership"
    assert [(o["value"], o["label"], o["count"]) for o in found["options"]] == [
        ("financial-intelligence-partnership", "Financial-intelligence partnership", 1),
        ("technology-tool", "Technology tool", 2),
    ]


def test_a_facet_counts_with_every_other_filter_but_its_own(taxonomy):
    tool, fi = taxonomy["tool"], taxonomy["fi_partnership"]
    PracticeFactory(published=True, kind=tool, sectors=[taxonomy["financial"]])
    PracticeFactory(published=True, kind=tool, sectors=[taxonomy["supply"]])
    PracticeFactory(published=True, kind=fi, sectors=[taxonomy["financial"]])

    query = "kind=technology-tool&sector=financial"
    kinds = group(PracticeFilterSet, "kind", query)
    sectors = group(PracticeFilterSet, "sector", query)

    assert counts(kinds) == {
        "financial-intelligence-partnership": 1,
        "technology-tool": 1,
    }
    assert [o["selected"] for o in kinds["options"]] == [False, True]
    assert counts(sectors) == {"supply-chain": 1, "financial": 1}


def test_a_chosen_option_without_results_is_still_shown_to_be_unticked(taxonomy):
    PracticeFactory(published=True, sectors=[taxonomy["financial"]])

    found = group(PracticeFilterSet, "sector", "sector=technology&sector=financial")

    assert [(o["value"], o["count"], o["selected"]) for o in found["options"]] == [
        ("financial", 1, True),
        ("technology", 0, True),
    ]


def test_column_facet_on_a_choices_column_labels_the_choices(taxonomy):
    PracticeFactory.create_batch(2, published=True, provenance=Provenance.PRESENTED)
    PracticeFactory(published=True, provenance=Provenance.DOCUMENTED_ELSEWHERE)
    PracticeFactory(provenance=Provenance.DOCUMENTED_ELSEWHERE)  # a draft

    found = group(ProvenanceFilterSet, "provenance")

    assert isinstance(ProvenanceFilterSet.facets[0], ColumnFacet)
    assert [(o["value"], o["label"], o["count"]) for o in found["options"]] == [
        ("presented", "Presented or discussed at a UNODC meeting", 2),
        ("documented_elsewhere", "Comparable practice documented elsewhere", 1),
    ]


def test_relation_facet_through_a_many_to_many_counts_each_value(taxonomy):
    financial, supply = taxonomy["financial"], taxonomy["supply"]
    PracticeFactory(published=True, sectors=[financial, supply])
    PracticeFactory(published=True, sectors=[supply])
    PracticeFactory(sectors=[financial, taxonomy["technology"]])  # a draft

    found = group(PracticeFilterSet, "sector")

    # In the sectors' editorial order, not by count.
    assert [(o["value"], o["count"]) for o in found["options"]] == [
        ("supply-chain", 2),
        ("financial", 1),
    ]


def test_relation_facet_through_a_reverse_foreign_key_counts_a_row_once(taxonomy):
    ngo_a = OrganisationFactory(type=OrganisationType.NGO)
    ngo_b = OrganisationFactory(type=OrganisationType.NGO)
    fiu = OrganisationFactory(type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT)
    # Two NGO partners: still one practice with an NGO partner.
    PracticeFactory(published=True, partners=[ngo_a, ngo_b])
    PracticeFactory(published=True, partners=[ngo_a, fiu])
    PracticeFactory(partners=[ngo_b, fiu])  # a draft

    found = group(PracticeFilterSet, "partner_type")

    assert counts(found) == {"financial_intelligence_unit": 1, "ngo": 2}


def test_tag_facet_shows_only_tags_of_published_practices_most_used_first(taxonomy):
    PracticeFactory(published=True, tags=["banks", "zinc"])
    PracticeFactory(published=True, tags=["zinc"])
    PracticeFactory(tags=["banks", "unannounced"])  # a draft

    found = group(PracticeFilterSet, "tag")
    # Even chosen in a link, a tag only a draft carries is no option.
    chosen = group(PracticeFilterSet, "tag", "tag=unannounced")

    assert [(o["value"], o["count"]) for o in found["options"]] == [
        ("zinc", 2),
        ("banks", 1),
    ]
    assert [o["value"] for o in chosen["options"]] == ["zinc", "banks"]


def test_tree_facet_nests_a_sub_region_under_its_region(taxonomy):
    for country in ("nigeria", "canada"):
        PracticeFactory(published=True, countries=[taxonomy[country]]).sync_regions()

    found = group(PracticeFilterSet, "region")
    (shown,) = display([found], QueryDict(""))

    assert [(o["value"], o["depth"], o["count"]) for o in found["options"]] == [
        ("africa", 0, 1),
        ("sub-saharan-africa", 1, 1),
        ("americas", 0, 1),
        ("northern-america", 1, 1),
    ]
    tree = [
        (root["value"], [child["value"] for child in root["children"]])
        for root in shown["roots"]
    ]
    assert tree == [
        ("africa", ["sub-saharan-africa"]),
        ("americas", ["northern-america"]),
    ]


def test_tree_facet_shows_a_sub_region_at_the_top_when_its_region_has_none(taxonomy):
    PracticeFactory(published=True, regions=[taxonomy["sub_saharan"]])

    found = group(PracticeFilterSet, "region")

    assert [(o["value"], o["depth"]) for o in found["options"]] == [
        ("sub-saharan-africa", 0)
    ]


# displayed() -------------------------------------------------------------------------


def display(groups, params, **kwargs):
    """``displayed()`` for counted groups of the practice list's own facets."""
    facets = {facet.param: facet for facet in PracticeFilterSet.facets}
    return displayed(
        [facets[group["param"]] for group in groups], groups, params, **kwargs
    )


def counted(n, *, selected=(), param="tag", shown=SHOWN):
    """A counted group of ``n`` options, option k counted n - k times."""
    return {
        "param": param,
        "label": "Tag",
        "shown": shown,
        "options": [
            {
                "key": k,
                "value": f"t{k:02d}",
                "label": f"T{k:02d}",
                "count": n - k,
                "selected": f"t{k:02d}" in selected,
            }
            for k in range(n)
        ],
    }


def values(found):
    return [option["value"] for option in found["options"]]


def test_a_facet_of_more_than_12_options_shows_its_top_10_and_a_show_all_link():
    (found,) = display([counted(13)], QueryDict("q=bank&page=2"))

    assert found["truncated"]
    assert values(found) == [f"t{k:02d}" for k in range(10)]
    assert found["total"] == 13
    assert found["show_all_url"] == "?q=bank&more=tag"


def test_more_shows_every_option_and_a_way_back():
    (found,) = display([counted(13)], QueryDict("q=bank&more=tag"))

    assert not found["truncated"]
    assert values(found) == [f"t{k:02d}" for k in range(13)]
    assert found["show_fewer_url"] == "?q=bank"
    assert "show_all_url" not in found


def test_a_facet_only_a_little_longer_than_10_shows_every_option():
    (found,) = display([counted(12)], QueryDict(""))

    assert not found["truncated"]
    assert len(found["options"]) == 12
    assert "show_all_url" not in found


def test_a_cut_facet_keeps_its_chosen_options_and_its_own_order():
    (found,) = display([counted(15, selected={"t14"})], QueryDict("tag=t14"))

    assert values(found) == [f"t{k:02d}" for k in range(9)] + ["t14"]


def test_every_option_toggles_itself_in_the_query_string():
    (found,) = display([counted(2, selected={"t00"})], QueryDict("tag=t00&page=3"))

    assert [o["toggle_url"] for o in found["options"]] == ["?", "?tag=t00&tag=t01"]


@pytest.mark.parametrize(
    ("shown", "truncate"), [(None, True), (SHOWN, False)], ids=["tree", "api"]
)
def test_a_facet_shown_whole_is_never_cut(shown, truncate):
    (found,) = display([counted(30, shown=shown)], QueryDict(""), truncate=truncate)

    assert len(found["options"]) == 30
    assert not found["truncated"]


def test_displaying_leaves_the_counted_groups_untouched():
    groups = [counted(13)]

    display(groups, QueryDict(""))

    assert groups == [counted(13)]


# The kind of facet, and declarations that fail at class creation ---------------------


def test_facet_true_picks_the_kind_from_the_field():
    kinds = {facet.param: type(facet) for facet in PracticeFilterSet.facets}

    assert kinds == {
        "sector": RelationFacet,  # a many-to-many
        "region": TreeFacet,  # declared
        "country": CountryFacet,  # declared: a relation facet naming countries in the
        # visitor's language
        "partner_type": RelationFacet,  # a reverse foreign key
        "with": AllOfFacet,  # an AllOfFilter: values combine with AND
        "audience": RelationFacet,
        "stage": RelationFacet,
        "kind": ColumnFacet,  # a foreign key
        "provenance": ColumnFacet,  # a choices column
        "maturity": ColumnFacet,
        "tag": TagFacet,  # taggit
        "year_from": YearRangeFacet,  # declared, with year_to
    }


def test_a_bound_facet_reads_its_parameter_and_label_from_its_filter():
    (sector,) = [f for f in PracticeFilterSet.facets if f.param == "sector"]

    assert (sector.param, sector.label, sector.path) == ("sector", "Sector", "sectors")
    assert sector.filter is PracticeFilterSet.base_filters["sector"]


@pytest.mark.parametrize(
    ("listed", "missing"),
    [
        (Sector, "published, unpublished, search"),
        (Country, "published, unpublished, search"),
    ],
    ids=["sector", "country"],
)
def test_a_list_over_a_model_without_the_queryset_contract_fails_at_creation(
    listed, missing
):
    # Facet counts leave out unpublished() rows: without it they would count drafts.
    with pytest.raises(ImproperlyConfigured, match=rf"has no {missing}\(\)"):

        class Broken(ListFilterSet):
            class Meta:
                model = listed
                fields = []


def _declare(facet, field_name, queryset=None):
    class Declared(ListFilterSet):
        wrong = SlugFilter(
            queryset=queryset if queryset is not None else Sector.objects.all(),
            field_name=field_name,
            facet=facet,
        )

        class Meta:
            model = Practice
            fields = []

    return Declared


@pytest.mark.parametrize(
    ("facet", "field_name", "message"),
    [
        (ColumnFacet(), "sectors", "is a to-many relation"),
        (RelationFacet(), "kind", "is not a to-many relation"),
        (RelationFacet(), "partners", "name the related field to count"),
        (True, "no_such_field", "has no field named"),
        (ColumnFacet(), "no_such_field", "has no field named"),
        ("sector", "sectors", "facet= takes True or a Facet"),
    ],
)
def test_a_facet_that_does_not_fit_its_field_fails_at_creation(
    facet, field_name, message
):
    with pytest.raises(ImproperlyConfigured, match=message):
        _declare(facet, field_name)


def test_a_facet_that_fits_its_field_is_made():
    declared = _declare(ColumnFacet(), "kind", PartnershipKind.objects.all())
    tree = _declare(TreeFacet(), "regions", Region.objects.all())

    assert type(declared.facets[0]) is ColumnFacet
    assert type(tree.facets[0]) is TreeFacet


def test_any_list_can_declare_an_all_of_filter_and_its_facet():
    """The composition filter is the engine's, not the practice list's: here on
    meetings, through their many-to-many organisations."""
    from django.http import QueryDict

    from core.listing.filters import AllOfFilter
    from partnerships.models import Meeting
    from practices.models import OrganisationType
    from tests.factories import MeetingFactory, OrganisationFactory

    class MeetingCompositionFilterSet(ListFilterSet):
        with_ = AllOfFilter(
            param="with",
            choices=OrganisationType.choices,
            field_name="organisations__type",
            label="Organisation type (all of)",
            facet=True,
        )

        class Meta:
            model = Meeting
            fields = []

    ngo = OrganisationFactory(type=OrganisationType.NGO)
    bank = OrganisationFactory(type=OrganisationType.FINANCIAL_INSTITUTION)
    both = MeetingFactory(published=True)
    both.organisations.add(ngo, bank)
    MeetingFactory(published=True).organisations.add(ngo)
    MeetingFactory(status="draft").organisations.add(ngo, bank)

    def listed(query):
        filterset = MeetingCompositionFilterSet(
            QueryDict(query), queryset=Meeting.objects.published()
        )
        (facet,) = filterset.facets
        return list(filterset.qs), facet.counts(filterset)

    rows, counts = listed("with=ngo&with=financial_institution")
    assert rows == [both]
    assert counts == {"ngo": 1, "financial_institution": 1}
    rows, counts = listed("with=ngo")
    assert len(rows) == 2
    assert counts == {"ngo": 2, "financial_institution": 1}
