"""Test-speed overrides only; everything else is the real settings module."""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef"
)

from compendium.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests talk plain HTTP to the test client and the live server.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic before each run: one test runs it for real (tests/test_deploy.py).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each test's facet counts come from its own rows: a cache would outlive the
# rollback between tests. tests/test_security.py switches it on where it is tested.
FACET_CACHE_SECONDS = 0
# Whole pages likewise (tests/test_page_cache.py switches it on).
PAGE_CACHE = False
