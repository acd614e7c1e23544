"""Caches never share what belongs to one visitor, and never outlive a change.

A response that sets a cookie is never publicly cacheable, whichever middleware set
it; every publish, unpublish, edit or delete (by a save, an admin action, a
many-to-many change, the loader) gives the content a new version in the database,
which every cached facet count and every ETag carries. The same across processes is
shown with real servers in tests/test_servers.py.
"""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

from compendium.middleware import PublicCacheMiddleware
from core.listing.cache import bump_content_version, content_version, one_bump
from core.models import ContentChange, ContentVersion, Status
from practices.models import Practice
from practices.search import refresh_search_vectors, refreshed_once
from tests.factories import PracticeFactory
from tests.test_security import PUBLIC_PAGES, sector_count

pytestmark = pytest.mark.django_db


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


# One visitor's responses -------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_page_that_replaces_a_malformed_csrf_cookie_is_never_shared(
    client, content, path
):
    client.cookies["csrftoken"] = "not-a-token"
    response = client.get(path)

    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    assert "public" not in cache_control(response)
    assert "private" in cache_control(response)


def test_a_page_that_deletes_an_expired_session_cookie_is_never_shared(client, content):
    client.cookies["sessionid"] = "an-expired-or-unknown-session-key"
    response = client.get("/practices/")

    assert response.status_code == 200
    # Whether the stale cookie is deleted depends on the page reading the session;
    # a deletion is a Set-Cookie too, and is never sent publicly cacheable.
    assert not (response.cookies and "public" in cache_control(response))


def test_a_revalidation_that_sets_a_cookie_is_never_shared(client, content):
    etag = client.get("/practices/")["ETag"]
    client.cookies["csrftoken"] = "not-a-token"
    response = client.get("/practices/", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert "csrftoken" in response.cookies
    assert "public" not in cache_control(response)


def test_a_page_read_with_a_live_anonymous_session_stays_shareable_for_others(
    client, content, settings
):
    # A session that the page never reads makes nothing on it personal.
    session = SessionStore()
    session["seen"] = True
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get("/practices/")

    assert not response.cookies
    assert "public" in cache_control(response)
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize(
    "choice",
    [{"public": True, "max_age": 600}, {"public": True, "s_maxage": 3600}],
)
def test_a_view_that_chose_public_caching_is_private_once_it_sets_a_cookie(rf, choice):
    def view(request):
        response = HttpResponse("<p>Yours</p>")
        patch_cache_control(response, **choice)
        response.set_cookie("chosen", "value")
        return response

    response = PublicCacheMiddleware(view)(rf.get("/practices/"))

    directives = cache_control(response)
    assert "public" not in directives
    assert not any(d.startswith("s-maxage") for d in directives)
    assert {"private", "no-cache"} <= directives


def test_a_page_without_cookies_is_still_shared(client, content):
    response = client.get("/practices/")
    assert not response.cookies
    assert "public" in cache_control(response)


# The content version -----------------------------------------------------------------


def unpublish_in_admin(client, practice):
    return client.post(
        "/admin/practices/practice/",
        {"action": "unpublish", "_selected_action": [practice.pk]},
    )


CHANGES = {
    "create": lambda practice, taxonomy: PracticeFactory(published=True),
    "edit": lambda practice, taxonomy: Practice.objects.get(pk=practice.pk).save(),
    "delete": lambda practice, taxonomy: practice.delete(),
    "add a sector": lambda practice, taxonomy: practice.sectors.add(
        taxonomy["technology"]
    ),
    "clear sectors": lambda practice, taxonomy: practice.sectors.clear(),
    "tag": lambda practice, taxonomy: practice.tags.add("new tag"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_content_gives_a_new_version(content, taxonomy, change):
    before = content_version()
    CHANGES[change](content, taxonomy)
    assert content_version() != before


def test_publishing_and_unpublishing_in_the_admin_give_new_versions(
    client, content, publisher
):
    client.force_login(publisher)
    before = content_version()
    assert unpublish_in_admin(client, content).status_code == 302
    content.refresh_from_db()
    assert content.status == Status.DRAFT
    unpublished = content_version()
    assert unpublished != before

    response = client.post(
        "/admin/practices/practice/",
        {"action": "publish", "_selected_action": [content.pk]},
    )
    assert response.status_code == 302
    assert content_version() not in {before, unpublished}


@pytest.mark.postgres
def test_rebuilding_search_vectors_in_bulk_gives_a_new_version(content):
    # One UPDATE for many practices, which sends no signal: what search finds changed.
    before = content_version()
    refresh_search_vectors()
    assert content_version() != before


def test_saves_held_for_one_bump_give_one_version_naming_every_row(taxonomy):
    # As the loader saves a file: one version, and the log still names each row,
    # so a facet index re-reads only those.
    before = content_version()
    with transaction.atomic(), one_bump():
        first = PracticeFactory(published=True, sectors=[taxonomy["financial"]])
        second = PracticeFactory(published=True)
        assert content_version() == before
    logged = ContentChange.objects.filter(version__gt=before)
    assert logged.count() == 1
    changes = logged.get().changes
    label = Practice._meta.label
    assert [label, label, first.pk] in changes
    assert [label, label, second.pk] in changes
    assert len(changes) == len({tuple(change) for change in changes})


def test_a_block_held_for_one_bump_that_fails_bumps_nothing(taxonomy):
    before = content_version()
    with pytest.raises(LookupError), transaction.atomic(), one_bump():
        PracticeFactory(published=True)
        raise LookupError("a row refused")
    assert content_version() == before
    assert not Practice.objects.exists()


def test_practices_saved_with_refreshes_held_are_found_when_the_block_ends(db):
    with transaction.atomic(), refreshed_once():
        practice = PracticeFactory(published=True, title="Quokka hotline")
        practice.tags.add("wombat")
        # Held: what search reads is not rewritten at each save.
        assert not Practice.objects.search("quokka").exists()
    assert list(Practice.objects.search("quokka")) == [practice]
    assert list(Practice.objects.search("wombat")) == [practice]


def test_the_version_starts_again_after_its_row_is_gone(db):
    ContentVersion.objects.all().delete()
    assert content_version() == 0
    bump_content_version()
    assert content_version() > 0


def test_a_change_anywhere_gives_every_page_a_new_etag(client, content):
    # This practice's page shows nothing of the new one; its ETag still moves, so a
    # CDN revalidating any page learns of the change.
    path = content.get_absolute_url()
    first = client.get(path)
    assert client.get(path, headers={"If-None-Match": first["ETag"]}).status_code == 304

    PracticeFactory(published=True, title="Somewhere else entirely")
    second = client.get(path, headers={"If-None-Match": first["ETag"]})

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second.content == first.content


def test_cached_facet_counts_follow_the_version_in_the_database(
    client, taxonomy, settings
):
    # As another process would: the rows and the version change in the database,
    # this process's cache is not told.
    settings.FACET_CACHE_SECONDS = 300
    cache.clear()
    practice = PracticeFactory(published=True, sectors=[taxonomy["financial"]])
    assert sector_count(client.get("/practices/"), "Financial sector") == 1
    Practice.objects.filter(pk=practice.pk).update(status=Status.DRAFT)
    assert sector_count(client.get("/practices/"), "Financial sector") == 1

    ContentVersion.objects.filter(pk=1).update(version=content_version() + 1)

    assert sector_count(client.get("/practices/"), "Financial sector") == 0
