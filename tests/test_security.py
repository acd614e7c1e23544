"""Deploy hardening a visitor, an editor and an operator rely on.

Security headers and the content security policy on public pages; HSTS, secure
cookies and the HTTPS redirect under the production settings (read from a fresh
import of compendium/settings.py with DEBUG off, not copied here); the admin login
lock-out; cache headers and conditional GET for a CDN; the health check.
"""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    PracticeFactory,
)

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
# Documentation addresses (RFC 5737): only ever a REMOTE_ADDR value in-process.
ADDRESS = "192.0.2.10"
OTHER_ADDRESS = "198.51.100.20"

PRODUCTION_KEYS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
]
CSP_GUARDED = ("default-src", "script-src", "style-src")


@pytest.fixture(scope="module")
def production_settings():
    """The security settings compendium/settings.py yields with DEBUG off."""
    script = (
        "import json; from compendium import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {PRODUCTION_KEYS!r}}}))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", *PRODUCTION_KEYS}
    }
    env["SECRET_KEY"] = "production-like-secret-key-for-this-test-0123456789"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


PUBLIC_PAGES = [
    "/",
    "/about/",
    "/practices/",
    "/practices/?sector=financial&q=bank",
    "/practices/shared-red-flags/",
    "/sectors/financial/",
    "/meetings/",
    "/for/",
    "/for/law-enforcement/",
    "/meetings/africa-regm/",
    "/action-points/",
    "/organisations/",
    "/organisations/global-bank-alliance/",
    "/search/?q=bank",
]


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, styles and handlers."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        # A data block (JSON-LD) is never run, so CSP does not govern it.
        data_block = names.get("type") == "application/ld+json"
        if tag == "script" and "src" not in names and not data_block:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name in names:
            if name == "style" or name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")


# Headers and content security policy -------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_send_a_strict_content_security_policy(client, content, path):
    response = client.get(path)
    assert response.status_code == 200
    directives = csp_directives(response["Content-Security-Policy"])
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    for name in CSP_GUARDED:
        assert "'unsafe-inline'" not in directives.get(name, []), name
        assert "'unsafe-eval'" not in directives.get(name, []), name
    # The policy must not break the page: nothing inline for it to block.
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == []


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "/practices/export.csv"])
def test_public_responses_carry_the_security_headers(client, content, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# Production settings -------------------------------------------------------------


def test_production_settings_default_to_https_and_secure_cookies(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    for name in ("SESSION_COOKIE", "CSRF_COOKIE"):
        assert production_settings[f"{name}_SECURE"] is True
        assert production_settings[f"{name}_HTTPONLY"] is True


def test_https_responses_carry_hsts_in_production(client, content, production_settings):
    with override_settings(**production_settings):
        response = client.get("/practices/", secure=True)
    assert response.status_code == 200
    hsts = [part.strip() for part in response["Strict-Transport-Security"].split(";")]
    assert hsts[:2] == ["max-age=31536000", "includeSubDomains"]
    assert ("preload" in hsts) is production_settings["SECURE_HSTS_PRELOAD"]


def test_plain_http_is_redirected_to_https_in_production(
    client, content, production_settings
):
    with override_settings(**production_settings):
        response = client.get("/practices/?sector=financial")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/practices/?sector=financial"


def test_https_behind_the_proxy_is_recognised_in_production(
    client, content, production_settings
):
    """The proxy terminates TLS and says so; that must not loop on the redirect."""
    with override_settings(**production_settings):
        response = client.get("/practices/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_health_check_answers_plain_http_in_production(client, production_settings):
    with override_settings(**production_settings):
        response = client.get("/healthz")
    assert response.status_code == 200


def test_session_and_csrf_cookies_are_secure_and_http_only_in_production(
    client, django_user_model, production_settings
):
    django_user_model.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    with override_settings(**production_settings):
        form = client.get("/admin/login/", secure=True)
        login = client.post(
            "/admin/login/?next=/admin/",
            {"username": "admin", "password": PASSWORD, "next": "/admin/"},
            secure=True,
            REMOTE_ADDR=ADDRESS,
        )
    assert form.status_code == 200
    assert login.status_code == 302
    csrf = form.cookies["csrftoken"]
    session = login.cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


# Admin login lock-out -----------------------------------------------------------


def admin_login(client, password, address, username="admin"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


@pytest.fixture
def admins(django_user_model):
    for username in ("admin", "other-admin"):
        django_user_model.objects.create_superuser(
            username, f"{username}@example.org", PASSWORD
        )


def fail_until_locked(client, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = admin_login(client, "wrong password", ADDRESS)
        if attempt < settings.AXES_FAILURE_LIMIT - 1:
            # Still an ordinary failed login: the form again, no lock-out yet.
            assert response.status_code == 200
            assert b"Please enter the correct username and password" in (
                response.content
            )


def test_admin_login_locks_out_after_repeated_failures(client, admins, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail_until_locked(client, settings)

    response = admin_login(client, PASSWORD, ADDRESS)

    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


@pytest.mark.parametrize(
    ("username", "address"),
    [("admin", OTHER_ADDRESS), ("other-admin", ADDRESS)],
    ids=["same-user-other-address", "other-user-same-address"],
)
def test_lock_out_is_per_user_and_address(client, admins, settings, username, address):
    fail_until_locked(client, settings)
    other = Client()

    response = admin_login(other, PASSWORD, address, username=username)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert other.get("/admin/").status_code == 200


PROXY_KEYS = [
    "AXES_IPWARE_PROXY_ORDER",
    "AXES_IPWARE_PROXY_COUNT",
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "IPWARE_STRICT",
]


@pytest.fixture(scope="module")
def one_proxy_settings():
    """How compendium/settings.py reads client addresses with TRUSTED_PROXY_COUNT=1."""
    script = (
        "import json; from compendium import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {PROXY_KEYS!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        SECRET_KEY="proxy-test-secret-key-" + "0123456789abcdef" * 3,
        TRUSTED_PROXY_COUNT="1",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def proxied_login(client, password, client_address, sent=None, appends=False):
    """A sign-in through one proxy at 10.0.0.2. `sent` is the X-Forwarded-For the
    client itself sent: deploy/nginx.conf replaces it with the address it sees, a
    proxy that `appends` keeps it on the left."""
    forwarded = client_address
    if sent and appends:
        forwarded = f"{sent}, {client_address}"
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": password, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize("appends", [False, True], ids=["overwrites", "appends"])
def test_behind_a_trusted_proxy_each_client_address_is_locked_on_its_own(
    client, admins, settings, one_proxy_settings, appends
):
    # One attacker must neither lock an editor out for everybody behind the proxy
    # nor escape the lock-out by sending a new X-Forwarded-For each time.
    for key, value in one_proxy_settings.items():
        setattr(settings, key, value)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        proxied_login(client, "wrong", ADDRESS, f"203.0.113.{attempt}", appends)

    attacker = proxied_login(client, PASSWORD, ADDRESS, "203.0.113.99", appends)
    colleague = proxied_login(Client(), PASSWORD, OTHER_ADDRESS)

    assert attacker.status_code == 429
    assert colleague.status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ADDRESS]


# Request bodies -----------------------------------------------------------------


def test_an_oversized_upload_to_the_sign_in_page_is_refused(client, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * 1024 * 1024
    upload = SimpleUploadedFile(
        "big.bin", b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    )

    response = client.post(
        "/admin/login/", {"username": "admin", "password": "x", "file": upload}
    )

    assert response.status_code == 413
    assert b"too large" in response.content


def test_an_oversized_body_to_the_api_is_refused_as_json(client):
    response = client.post(
        "/api/v1/practices/", "x" * (3 * 1024 * 1024), content_type="text/plain"
    )

    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_too_many_fields_are_refused(client):
    response = client.post("/admin/login/", {f"f{i}": "1" for i in range(1001)})

    assert response.status_code == 400


# Caching ------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_anonymous_public_pages_are_cacheable_and_revalidate(
    client, content, settings, path
):
    response = client.get(path)

    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", f"max-age={settings.PUBLIC_CACHE_SECONDS}"}
    assert "Cookie" in response["Vary"]
    assert response.has_header("ETag") or response.has_header("Last-Modified")

    again = client.get(path, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == response["ETag"]


def test_changed_content_gets_a_new_etag(client, content):
    first = client.get("/practices/")
    PracticeFactory(published=True, title="A new practice on the list")
    second = client.get("/practices/", headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]


def sector_count(response, name):
    match = re.search(
        rf'{re.escape(name)} <span class="count">\((\d+)\)</span>',
        response.content.decode(),
    )
    return int(match.group(1)) if match else 0


def test_facet_counts_are_cached_per_query_until_content_changes(
    client, taxonomy, settings
):
    settings.FACET_CACHE_SECONDS = 300
    cache.clear()
    PracticeFactory(published=True, sectors=[taxonomy["financial"]])
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/practices/", {"stage": "recruitment"})
    with CaptureQueriesContext(connection) as warm:
        second = client.get("/practices/", {"stage": "recruitment", "page": "1"})

    assert sector_count(first, "Financial sector") == 0
    # Every facet (eight of them) was counted once; the repeat reads them back.
    assert len(cold) - len(warm) >= 8
    assert sector_count(second, "Financial sector") == 0
    assert sector_count(client.get("/practices/"), "Financial sector") == 1

    PracticeFactory(
        published=True,
        sectors=[taxonomy["financial"]],
        stages=[taxonomy["recruitment"]],
    )
    assert sector_count(client.get("/practices/"), "Financial sector") == 2
    third = client.get("/practices/", {"stage": "recruitment"})
    assert sector_count(third, "Financial sector") == 1


@pytest.mark.parametrize(
    "path",
    ["/", "/practices/", "/practices/shared-red-flags/", "/search/?q=bank"],
)
def test_pages_for_signed_in_users_are_private(client, content, editor, path):
    client.force_login(editor)
    response = client.get(path)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_draft_previews_are_private(client, editor, taxonomy):
    draft = PracticeFactory(slug="draft-preview")
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/practices/practice/",
        "/admin/practices/practice/?_facets=1",
        "/admin/partnerships/actionpoint/",
    ],
)
def test_admin_pages_are_private(client, content, editor, path):
    client.force_login(editor)
    response = client.get(path)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/admin/login/", "/no-such-page/"])
def test_anonymous_admin_login_and_errors_are_not_shared(client, path):
    response = client.get(path)
    assert "public" not in response["Cache-Control"]


# Health check ---------------------------------------------------------------------


def test_health_check_reports_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


class BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_health_check_fails_when_the_database_does_not_answer(client, monkeypatch):
    monkeypatch.setattr("compendium.views.connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "no-store" in response["Cache-Control"]
