"""PostgreSQL writes the practices CSV itself (COPY), byte for byte as Python does.

The COPY export reads each column's ``sql``; the Python export its ``value``. Both
render the same filtered list here, so a column whose SQL says something else (or a
column added with no SQL) fails, whatever filter, search, order or text it meets.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.listing.csv import copy_lines, csv_response, queryset_csv_response
from practices.export import PRACTICE_EXPORT
from practices.models import OrganisationType, Practice, PracticePartner
from practices.views import PracticeListView
from tests.factories import OrganisationFactory, PracticeFactory, PracticeSourceFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = reverse("practices:export")

QUERIES = [
    "",
    "sector=financial",
    "sector=financial&sector=supply-chain",
    "region=africa",
    "country=NG",
    "partner_type=ngo",
    "with=financial_institution&with=ngo",
    "audience=law-enforcement",
    "stage=recruitment",
    "kind=technology-tool",
    "tag=red-flags",
    "year_from=2012&year_to=2020",
    "sort=newest",
    "sort=oldest&sector=financial",
    "sort=title",
    "q=bank",
    "q=cacao&sort=relevance",
    "q=bank&region=africa&sort=newest",
    "sector=nonsense&year_from=abc",
    "q=nothing-matches-this",
]


@pytest.fixture
def varied_practices(taxonomy):
    """Practices with every kind of cell: unicode, formula-looking and quoted text,
    line breaks, empty values, none or many values in each multi-valued column."""
    fiu = OrganisationFactory(
        name="Cellule « FIU » =1+1", type=OrganisationType.FINANCIAL_INTELLIGENCE_UNIT
    )
    bank = OrganisationFactory(name='Bank "Al-Amal"', type="financial_institution")
    ngo = OrganisationFactory(name="-Hilfe e.V.", type=OrganisationType.NGO)
    texts = [
        ("Bank red flags", "Banks share red flags, quickly.", "More reports."),
        ('=HYPERLINK("http://x")', "@SUM(A1)", "+1 more"),
        ("Cacao, coton\r\net café", "Línea 1\nLínea 2", ""),
        ("بنك المعلومات", "\tTabbed bank summary", "-2 reports"),
        ("Plain bank", "", 'Quote " inside'),
        ("Trade \\. backslash", 'Ends with a quote"', ",comma first"),
    ]
    years = [(None, None), (2008, 2012), (2015, None), (2021, 2024), (2012, 2020)]
    sectors = [taxonomy["financial"], taxonomy["supply"], taxonomy["technology"]]
    for n in range(18):
        title, summary, outcomes = texts[n % len(texts)]
        start, end = years[n % len(years)]
        practice = PracticeFactory(
            published=n % 7 != 3,
            title=f"{title} {n:02d}",
            summary=summary,
            outcomes=outcomes,
            start_year=start,
            end_year=end,
            kind=[taxonomy["tool"], taxonomy["fi_partnership"]][n % 2],
            sectors=sectors[: n % 4],
            countries=[
                taxonomy["nigeria"],
                taxonomy["ivory_coast"],
                taxonomy["canada"],
            ][: n % 3],
            stages=[taxonomy["recruitment"], taxonomy["financial_flows"]][: n % 3],
            audiences=[taxonomy["law_enforcement"], taxonomy["labour_inspectors"]][
                n % 2 :
            ],
            tags=[["red flags", "banks"], [], ["=cmd"], ["café"]][n % 4],
            partners=[
                [(fiu, PracticePartner.Role.LEAD), bank],
                [],
                [ngo, (bank, PracticePartner.Role.FUNDER)],
            ][n % 3],
            provenance=["unodc_meeting", "documented_elsewhere"][n % 2],
        )
        practice.sync_regions()
        for order in range(n % 3):
            PracticeSourceFactory(
                practice=practice, url=f"https://example.org/{n}/{order}", order=order
            )


def _filtered(query):
    request = RequestFactory().get(f"{EXPORT_URL}?{query}")
    view = PracticeListView(renderer="csv")
    view.setup(request)
    view.filter_rows()
    return request, view.object_list


def python_bytes(query):
    request, rows = _filtered(query)
    response = csv_response(
        PRACTICE_EXPORT.rows(rows), PRACTICE_EXPORT.columns(request), "practices"
    )
    return b"".join(response.streaming_content)


@pytest.mark.postgres
@pytest.mark.parametrize("query", QUERIES)
def test_copy_export_is_byte_for_byte_the_python_export(varied_practices, query):
    request, rows = _filtered(query)

    copied = b"".join(copy_lines(rows, PRACTICE_EXPORT.columns(request)))

    assert copied == python_bytes(query)


@pytest.mark.postgres
def test_the_comparison_covers_rows_and_hard_cells(varied_practices):
    # Guards the test above against comparing two empty files.
    body = python_bytes("").decode("utf-8")

    assert body.count("\r\n") > 15
    assert "'=HYPERLINK" in body
    assert "'@SUM" in body
    assert '"Cacao, coton' in body
    assert '"Línea 1\nLínea 2"' in body


@pytest.mark.postgres
def test_the_practices_export_is_written_by_the_database(client, varied_practices):
    # Every column declares its SQL: a column added without it would quietly move
    # the whole export back to Python rows.
    request, rows = _filtered("")
    columns = PRACTICE_EXPORT.columns(request)
    assert [column.header for column in columns if column.sql is None] == []

    response = client.get(f"{EXPORT_URL}?sector=financial")

    assert response["Content-Disposition"].startswith(
        'attachment; filename="practices-'
    )
    assert b"".join(response.streaming_content) == python_bytes("sector=financial")


@pytest.mark.sqlite
def test_without_postgresql_the_export_is_built_in_python(varied_practices):
    request, rows = _filtered("")
    response = queryset_csv_response(
        rows, PRACTICE_EXPORT.rows, PRACTICE_EXPORT.columns(request), "practices"
    )

    assert b"".join(response.streaming_content) == python_bytes("")


@pytest.mark.postgres
def test_the_connection_is_free_until_the_export_is_read(client, varied_practices):
    # A COPY holds its connection until the last row: started before the response
    # is read, any query meanwhile (a middleware, a session save) would never end.
    response = client.get(EXPORT_URL)

    assert Practice.objects.published().count() > 10
    assert b"".join(response.streaming_content) == python_bytes("")
