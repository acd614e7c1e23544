"""The OpenAPI document describes exactly what the API answers: its parameters are the
lists' FilterSets', its shapes the answers' keys and types. Schemathesis then finds no
request answered with a 5xx or outside the document."""

from collections import Counter

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerships.models import Meeting
from partnerships.views import ActionPointListView, MeetingListView, StrategyListView
from practices.models import Organisation, Practice
from practices.views import LessonListView, OrganisationListView, PracticeListView
from tests.factories import (
    ActionPointFactory,
    LessonLearnedFactory,
    MeetingFactory,
    OrganisationFactory,
    PracticeFactory,
    StrategyFactory,
)
from tests.test_security import InlineCode, csp_directives

pytestmark = pytest.mark.django_db

OPENAPI = reverse("api:openapi")
LISTS = {
    "/api/v1/practices/": PracticeListView,
    "/api/v1/action-points/": ActionPointListView,
    "/api/v1/organisations/": OrganisationListView,
    "/api/v1/meetings/": MeetingListView,
    "/api/v1/lessons/": LessonListView,
    "/api/v1/strategies/": StrategyListView,
}
DETAILS = {
    "/api/v1/practices/{slug}/": "PracticeDetail",
    "/api/v1/meetings/{slug}/": "MeetingDetail",
    "/api/v1/organisations/{slug}/": "OrganisationDetail",
}


@pytest.fixture
def document(client):
    response = client.get(OPENAPI)
    assert response.status_code == 200
    return response.json()


def component(document, reference):
    return document["components"]["schemas"][reference["$ref"].rsplit("/", 1)[1]]


def ok_schema(document, path):
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    return component(document, content["application/json"]["schema"])


def test_the_document_is_openapi_3_with_one_get_per_endpoint(document):
    assert document["openapi"].startswith("3.0")
    assert document["info"]["title"] == "Compendium of Promising Practices API"
    assert "researchers" in document["info"]["description"]
    assert {
        path: sorted(operations) for path, operations in document["paths"].items()
    } == {path: ["get"] for path in [*LISTS, *DETAILS]}


@pytest.mark.parametrize(("path", "listing_view"), LISTS.items())
def test_list_parameters_are_the_filtersets_filters_and_the_page(
    document, path, listing_view
):
    parameters = document["paths"][path]["get"]["parameters"]

    names = {parameter["name"] for parameter in parameters}
    assert names == {
        *listing_view.filterset_class.base_filters,
        "page",
        "page_size",
        "lang",
    }
    assert "more" not in names
    assert all(parameter["in"] == "query" for parameter in parameters)
    for parameter in parameters:
        assert parameter["description"], parameter["name"]


def test_parameters_are_typed_as_the_filters_read_them(document):
    parameters = {
        parameter["name"]: parameter
        for parameter in document["paths"]["/api/v1/practices/"]["get"]["parameters"]
    }

    assert parameters["sector"]["schema"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    assert parameters["sector"]["explode"] is True
    assert "ngo" in parameters["partner_type"]["schema"]["items"]["enum"]
    assert parameters["year_from"]["schema"] == {
        "type": "integer",
        "minimum": 1950,
        "maximum": 2100,
    }
    assert set(parameters["sort"]["schema"]["enum"]) == {
        "relevance",
        "newest",
        "oldest",
        "title",
    }
    assert parameters["q"]["schema"] == {"type": "string"}
    assert parameters["page_size"]["schema"]["maximum"] == 100


def test_the_across_sectors_value_is_documented(document):
    parameters = {
        parameter["name"]: parameter
        for parameter in document["paths"]["/api/v1/strategies/"]["get"]["parameters"]
    }

    assert "`none`" in parameters["sector"]["description"]
    assert "across sectors" in parameters["sector"]["description"]


@pytest.mark.parametrize(("path", "listing_view"), LISTS.items())
def test_list_items_are_the_export_columns_in_order(rf, document, path, listing_view):
    item = component(
        document, ok_schema(document, path)["properties"]["results"]["items"]
    )

    columns = listing_view.export.columns(rf.get("/"))
    assert list(item["properties"]) == [column.header for column in columns]
    assert sorted(item["required"]) == sorted(item["properties"])


def test_practice_item_types_follow_the_column_types(document):
    item = document["components"]["schemas"]["PracticeItem"]["properties"]

    assert item["sectors"] == {"type": "array", "items": {"type": "string"}}
    assert item["start_year"] == {"type": "integer", "nullable": True}
    assert item["title"] == {"type": "string"}


def test_action_point_items_name_their_practices_and_note_not_free_text(document):
    item = document["components"]["schemas"]["ActionPointItem"]["properties"]

    assert item["practices"] == {"type": "array", "items": {"type": "string"}}
    assert item["practice_titles"] == {"type": "array", "items": {"type": "string"}}
    assert item["note"] == {"type": "string"}
    assert "derived_from" not in item


# A known and an unknown value of one parameter of each list: one row, one message.
ONE_ROW_AND_A_MESSAGE = {
    "/api/v1/meetings/": {"kind": ["regm", "nope"]},
}


@pytest.mark.parametrize("path", LISTS)
def test_list_answers_hold_exactly_the_documented_keys(
    client, document, taxonomy, path
):
    practice = PracticeFactory(
        published=True,
        sectors=[taxonomy["financial"]],
        partners=[OrganisationFactory()],
    )
    ActionPointFactory(published=True, sector=taxonomy["financial"])
    LessonLearnedFactory(
        published=True, sector=taxonomy["financial"], practice=practice
    )
    MeetingFactory(published=True, kind=Meeting.Kind.REGM)
    StrategyFactory(published=True, sector=taxonomy["financial"]).practices.add(
        practice
    )
    schema = ok_schema(document, path)

    query = ONE_ROW_AND_A_MESSAGE.get(path, {"sector": ["financial", "nope"]})
    answer = client.get(path, query).json()

    assert sorted(answer) == sorted(schema["properties"]) == sorted(schema["required"])
    (item,) = answer["results"]
    items = component(document, schema["properties"]["results"]["items"])
    assert list(item) == list(items["properties"])
    facet = document["components"]["schemas"]["Facet"]
    option = document["components"]["schemas"]["FacetOption"]
    for group in answer["facets"]:
        assert sorted(group) == sorted(facet["properties"])
        for each in group["options"]:
            assert sorted(each) == sorted(option["properties"])
    assert answer["messages"]


def test_detail_answers_hold_exactly_the_documented_keys(client, document, taxonomy):
    organisation = OrganisationFactory(slug="coastal-bank")
    practice = PracticeFactory(
        published=True, slug="red-flags", partners=[organisation]
    )
    meeting = MeetingFactory(published=True, slug="africa-regm")
    meeting.practices.add(practice)
    meeting.organisations.add(organisation)
    slugs = {
        "/api/v1/practices/{slug}/": "red-flags",
        "/api/v1/meetings/{slug}/": "africa-regm",
        "/api/v1/organisations/{slug}/": "coastal-bank",
    }

    for path, name in DETAILS.items():
        schema = ok_schema(document, path)
        answer = client.get(path.format(slug=slugs[path])).json()
        assert schema == document["components"]["schemas"][name]
        assert list(answer) == list(schema["properties"]), path
        assert sorted(schema["required"]) == sorted(schema["properties"]), path


def test_every_operation_documents_its_json_404(document):
    for path, operations in document["paths"].items():
        responses = operations["get"]["responses"]
        # 400: a ``lang`` the site does not have.
        assert set(responses) == {"200", "400", "404"}, path
        error = responses["404"]["content"]["application/json"]["schema"]
        assert component(document, error)["properties"] == {
            "detail": {
                "type": "string",
                "description": "What went wrong, in a sentence.",
            }
        }


# The documentation page ---------------------------------------------------------


def test_docs_page_runs_swagger_ui_from_our_static_files_under_the_csp(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert not response.cookies, "no CSRF cookie: nothing is ever posted"
    page = response.content.decode()
    parser = InlineCode()
    parser.feed(page)
    assert parser.found == []
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "js/api-docs.js",
        "css/api-docs.css",
    ):
        assert f"/static/{asset}" in page
        assert finders.find(asset), asset
    assert f'data-schema-url="{OPENAPI}"' in page


# Schemathesis -------------------------------------------------------------------

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def api_schema(reference_content):
    """The API's own document, loaded through the WSGI application."""
    # What Django's test client does around each request: the test's transaction
    # holds the reference content, and closing "old" connections would end it.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(OPENAPI, WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.postgres
def test_every_operation_answers_within_its_document(api_schema):
    """Valid and invalid requests (schemathesis' positive and negative modes) to
    every operation: no 5xx, and every answer as documented.

    Driven through schemathesis' Python API rather than its pytest plugin, whose
    fixture loader does not run under pytest 9.
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    sent = {}
    for operation in operations:
        # A slug is any string: only query parameters can be sent invalid.
        modes = [GenerationMode.POSITIVE]
        if len(operation.query):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            sent[f"{operation.label} {mode.value}"] = fuzz(operation, mode)
        if "{slug}" in operation.path:
            for slug in published_slugs(operation.path):
                response = operation.Case(path_parameters={"slug": slug})
                assert response.call_and_validate(checks=CHECKS).status_code == 200

    print({label: dict(statuses) for label, statuses in sent.items()})
    assert {operation.path for operation in operations} == {*LISTS, *DETAILS}
    lists = [label for label in sent if "{slug}" not in label]
    assert all(sent[label][200] for label in lists), "the lists answered pages"


def fuzz(operation, mode):
    """Send EXAMPLES of ``mode`` to ``operation``; the statuses it answered."""
    statuses = Counter()

    @EXAMPLES
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        statuses[case.call_and_validate(checks=CHECKS).status_code] += 1

    call()
    return statuses


def published_slugs(path):
    model = {"practices": Practice, "meetings": Meeting, "organisations": Organisation}
    queryset = model[path.split("/")[3]].objects.published()
    return list(queryset.order_by("pk").values_list("slug", flat=True)[:3])
