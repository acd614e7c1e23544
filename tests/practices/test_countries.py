"""Every country is there for editors; the public sees only the ones content uses.

The reference loader adds every ISO 3166 country of the UN M49 table
(practices/data/m49.csv) in its M49 sub-region, after the reference content's own 39
countries, whose regions and slugs stay as they were.
"""

import json

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_countries.data import COUNTRIES

from core.models import Status
from practices.countries import add_missing_countries, m49_rows
from practices.models import Country, Practice, Region
from tests.test_admin import autocomplete, form_errors, rendered_form_data

pytestmark = pytest.mark.django_db

TAXONOMY = json.loads(
    (settings.BASE_DIR / "fixtures" / "reference" / "taxonomy.json").read_text()
)
#: ISO 3166 areas the M49 table gives no sub-region or no code.
NOT_IN_M49 = {"AQ", "TW"}


@pytest.fixture(scope="module")
def loaded(reference_snapshot, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        reference_snapshot.restore()
        yield
        transaction.set_rollback(True)


def test_every_iso_country_is_available(loaded):
    codes = {str(code) for code in Country.objects.values_list("code", flat=True)}

    assert codes == set(COUNTRIES) - NOT_IN_M49
    assert len(codes) == len(m49_rows())
    kenya = Country.objects.select_related("region__parent").get(code="KE")
    assert kenya.name == "Kenya"
    assert (kenya.region.slug, kenya.region.parent.slug) == (
        "sub-saharan-africa",
        "africa",
    )


def test_the_reference_countries_and_regions_keep_their_places(loaded):
    places = dict(Country.objects.values_list("code", "region__slug"))
    for row in TAXONOMY["countries"]:
        assert places[row["code"]] == row["region"], row["code"]
    regions = {r.slug: r for r in Region.objects.select_related("parent")}
    for row in TAXONOMY["regions"]:
        region = regions[row["slug"]]
        assert (region.name, region.order) == (row["name"], row["order"])
        assert (region.parent.slug if region.parent else None) == row["parent"]


def test_new_sub_regions_sit_under_their_m49_region(loaded):
    parents = dict(Region.objects.values_list("slug", "parent__slug"))

    for slug in ("central-asia", "melanesia", "micronesia", "polynesia"):
        assert parents[slug] in {"asia", "oceania"}, slug
    assert Country.objects.get(code="KZ").region.slug == "central-asia"
    assert Country.objects.get(code="FJ").region.slug == "melanesia"


def test_adding_countries_again_adds_nothing_and_keeps_editors_changes(loaded):
    kenya = Country.objects.get(code="KE")
    kenya.name = "Kenya (renamed by an editor)"
    kenya.region = Region.objects.get(slug="global")
    kenya.save()
    regions = set(Region.objects.values_list("slug", "name", "parent", "order"))

    assert add_missing_countries() == 0

    kenya.refresh_from_db()
    assert (kenya.name, kenya.region.slug) == (
        "Kenya (renamed by an editor)",
        "global",
    )
    assert set(Region.objects.values_list("slug", "name", "parent", "order")) == (
        regions
    )


def facet_values(response, param):
    (group,) = [g for g in response.context["facet_groups"] if g["param"] == param]
    return {option["value"] for option in group["options"]}


def test_public_facets_list_only_countries_of_published_practices(client, loaded):
    used = {
        str(code)
        for code in Practice.objects.published()
        .filter(countries__isnull=False)
        .values_list("countries__code", flat=True)
    }
    assert 0 < len(used) < 40

    response = client.get(reverse("practices:list"), {"more": "country"})

    assert facet_values(response, "country") == used
    assert "KE" not in facet_values(response, "country")
    assert not {"central-asia", "melanesia"} & facet_values(response, "region")


def test_a_country_only_a_draft_uses_is_no_facet_option(client, loaded):
    draft = Practice.objects.create(
        title="Kenyan pilot",
        slug="kenyan-pilot",
        summary="A draft in Kenya.",
        status=Status.DRAFT,
        kind=Practice.objects.first().kind,
    )
    draft.countries.add(Country.objects.get(code="KE"))

    response = client.get(reverse("practices:list"), {"more": "country"})

    assert "KE" not in facet_values(response, "country")


def test_an_editor_adds_a_practice_in_kenya(client, editor, loaded):
    client.force_login(editor)

    assert "Kenya" in autocomplete(client, "practices", "practice", "countries", "Ken")

    add = reverse("admin:practices_practice_add")
    data = rendered_form_data(client.get(add))
    data.update(
        {
            "title_en_gb": "Mobile money red flags in Kenya",
            "slug": "mobile-money-red-flags-kenya",
            "summary_en_gb": "Mobile money providers share red flags with the police.",
            "sectors": [str(Practice.objects.first().sectors.first().pk)],
            "kind": str(Practice.objects.exclude(kind=None).first().kind_id),
            "countries": [str(Country.objects.get(code="KE").pk)],
        }
    )
    response = client.post(add, data)

    assert response.status_code == 302, form_errors(response)
    practice = Practice.objects.get(slug="mobile-money-red-flags-kenya")
    assert {region.slug for region in practice.regions.all()} == {
        "sub-saharan-africa",
        "africa",
    }
