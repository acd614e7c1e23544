"""Whole anonymous pages come from the page cache, and never outlive a change.

A page is kept under the content version it was rendered at: the next request after
a publish, an unpublish or an edit renders it afresh (and its ETag moves with it, so a
conditional request gets 200 and the new page, never 304). A page for a signed-in
editor, which may show a draft, is never kept, and never served to anyone else.
"""

import pytest

from core.listing.cache import content_version
from core.models import ContentVersion, Status
from practices.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE = True


def test_a_page_seen_before_is_answered_from_the_cache(
    client, content, django_assert_num_queries
):
    first = client.get("/practices/")
    # Guards the cache itself: a hit reads only the content version.
    with django_assert_num_queries(1):
        second = client.get("/practices/")

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "public" in second["Cache-Control"]


def test_a_conditional_request_for_a_cached_page_gets_304(client, content):
    etag = client.get("/practices/")["ETag"]
    client.get("/practices/")

    response = client.get("/practices/", headers={"If-None-Match": etag})

    assert response.status_code == 304


@pytest.mark.parametrize("path", ["/practices/", "/", "/search/?q=bank"])
def test_a_publish_shows_at_the_next_request_with_a_new_etag(client, content, path):
    before = client.get(path)
    assert client.get(path, headers={"If-None-Match": before["ETag"]}).status_code == (
        304
    )

    PracticeFactory(published=True, title="Bank transfer red flags for recruiters")
    after = client.get(path, headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert b"Bank transfer red flags for recruiters" in after.content
    assert b"Bank transfer red flags for recruiters" not in before.content


def test_an_unpublish_made_by_another_process_shows_at_the_next_request(
    client, content
):
    # As another process would: rows and version change in the database, this
    # process's cache is not told.
    practice = PracticeFactory(published=True, title="Soon to be withdrawn")
    before = client.get("/practices/")
    assert b"Soon to be withdrawn" in before.content
    Practice.objects.filter(pk=practice.pk).update(status=Status.DRAFT)
    ContentVersion.objects.filter(pk=1).update(version=content_version() + 1)

    after = client.get("/practices/", headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert b"Soon to be withdrawn" not in after.content
    assert client.get(practice.get_absolute_url()).status_code == 404


def test_a_draft_previewed_by_an_editor_is_never_kept_for_anyone(
    client, content, editor
):
    draft = PracticeFactory(status=Status.DRAFT, title="Not yet for the public")
    client.force_login(editor)
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert b"Not yet for the public" in preview.content
    assert "private" in preview["Cache-Control"]

    client.logout()
    for _ in range(2):
        assert client.get(draft.get_absolute_url()).status_code == 404
