"""Every ISO 3166 country, in its UN M49 sub-region, for editors to choose from.

``data/m49.csv`` is the UN M49 table ("Standard country or area codes for statistical
use", UN Statistics Division, https://unstats.un.org/unsd/methodology/m49/overview/):
per ISO alpha-2 and alpha-3 code, the M49 code, region, sub-region and intermediate
region. It was extracted from the table that country_converter 1.3.2 ships
(``country_data.tsv``: ISO2, ISO3, UNcode, UNregion), its UN regions placed in the
M49 hierarchy. Areas the M49 table gives no sub-region (Antarctica) or no code
(Taiwan, Kosovo) are left out; an editor can still add them by hand.

Rows are only ever added: a country or region that exists (the reference content's,
or one an editor changed) keeps its name, slug and parent.
"""

import csv
from pathlib import Path

from django.utils.text import slugify

from practices.models import Country, Region

M49_TABLE = Path(__file__).with_name("data") / "m49.csv"


def m49_rows():
    """The rows of the M49 table, as dicts."""
    with M49_TABLE.open(encoding="utf-8", newline="") as table:
        return list(csv.DictReader(table))


def add_missing_countries():
    """Create every country of the M49 table that is missing, with its sub-region
    (and that sub-region's region) when they are missing too.

    Returns the number of countries created. Regions are found by the slug of their
    M49 name, the slugs the reference content uses ("sub-saharan-africa").
    """
    regions = {region.slug: region for region in Region.objects.all()}
    next_order = max((region.order for region in regions.values()), default=0) + 1
    existing = {str(code) for code in Country.objects.values_list("code", flat=True)}

    def region(name, parent=None):
        nonlocal next_order
        slug = slugify(name)
        if slug not in regions:
            regions[slug] = Region.objects.create(
                name=name, slug=slug, parent=parent, order=next_order
            )
            next_order += 1
        return regions[slug]

    created = 0
    for row in m49_rows():
        if row["alpha2"] in existing:
            continue
        sub_region = region(row["sub_region"], parent=region(row["region"]))
        Country.objects.create(code=row["alpha2"], region=sub_region)
        created += 1
    return created
