"""Faults give honest answers: with the database gone, 503 "temporarily unavailable".

In-process here, with the connection made to fail on every query; with real server
processes whose database goes away in tests/test_servers.py.
"""

from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    connection,
)
from django.test import Client

from tests.test_security import PUBLIC_PAGES

pytestmark = pytest.mark.django_db

EXPORTS = [
    "/practices/export.csv",
    "/practices/export.csv?sector=financial",
    "/practices/export.xlsx",
    "/action-points/export.csv",
    "/organisations/export.csv",
]
API = ["/api/v1/practices/", "/api/v1/practices/shared-red-flags/"]


@contextmanager
def database_gone(error=None):
    """Every query on the connection fails, as when the server stops answering."""
    error = error or OperationalError("could not connect to server")

    def fail(*args, **kwargs):
        raise error

    saved = connection.cursor, connection.chunked_cursor
    connection.cursor = connection.chunked_cursor = fail
    try:
        yield
    finally:
        connection.cursor, connection.chunked_cursor = saved


@pytest.fixture
def visitor():
    # A browser, not a test harness: an error reaches the error handler.
    return Client(raise_request_exception=False)


def assert_unavailable(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "public" not in cache_control


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_answer_temporarily_unavailable_without_the_database(
    visitor, content, path
):
    with database_gone():
        response = visitor.get(path)

    assert_unavailable(response)
    assert response["Content-Type"].startswith("text/html")
    parser = Text()
    parser.feed(response.content.decode())
    assert "Temporarily unavailable" in " ".join(parser.parts)


@pytest.mark.parametrize("path", EXPORTS)
def test_an_export_fails_before_it_starts_without_the_database(visitor, content, path):
    with database_gone():
        response = visitor.get(path)

    assert_unavailable(response)
    assert not response.streaming
    assert not response.has_header("Content-Disposition")


@pytest.mark.parametrize("path", API)
def test_the_api_answers_json_503_without_the_database(visitor, content, path):
    with database_gone():
        response = visitor.get(path)

    assert_unavailable(response)
    assert "unavailable" in response.json()["detail"]


def test_health_check_stays_503_without_the_database(visitor):
    with database_gone():
        response = visitor.get("/healthz")
    assert response.status_code == 503
    assert "no-store" in response["Cache-Control"]


def test_a_database_file_that_is_not_a_database_is_a_fault_too(visitor, content):
    # What SQLite says of a file overwritten or truncated under a running server.
    with database_gone(DatabaseError("file is not a database")):
        response = visitor.get("/practices/")
    assert_unavailable(response)


@pytest.mark.parametrize(
    "error",
    [ProgrammingError("column does not exist"), IntegrityError("duplicate key")],
)
def test_a_wrong_query_is_still_an_error_not_unavailable(visitor, content, error):
    with database_gone(error):
        response = visitor.get("/practices/")
    assert response.status_code == 500
    assert "public" not in response["Cache-Control"]


def test_the_unavailable_page_reads_no_database(rf):
    from compendium.views import service_unavailable

    with database_gone():
        response = service_unavailable(rf.get("/practices/"))
    assert_unavailable(response)
