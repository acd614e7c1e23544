"""Settings for Compendium Portal: one module, differences read from the environment.

Variables (see .env.example): DEBUG, SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS,
DATABASE_URL, REDIS_URL, SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, TRUSTED_PROXY_COUNT,
STATIC_ROOT, EDITORS_CONTACT.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", False)

#: Django's own deploy check (security.W009) asks for as much; production refuses less.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (see .env.example)."
        )
    if (
        len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_DISTINCT
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak: with DEBUG off it needs at least "
            f"{SECRET_KEY_MIN_LENGTH} characters ({len(SECRET_KEY)} given) and "
            f"{SECRET_KEY_MIN_DISTINCT} different ones. Make one with "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )
elif not SECRET_KEY:
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

#: Apps whose content the public lists show: an edit there drops cached facet counts.
LISTING_APPS = {"practices", "partnerships", "taggit"}

INSTALLED_APPS = [
    # Before the admin, which it extends with a field per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Only for its sitemap templates (compendium.sitemaps).
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "corsheaders",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    "django_countries",
    "axes",
    "reversion",
    "core",
    "compendium",
    "practices",
    "partnerships",
    "api",
]

MIDDLEWARE = [
    # First, so that every answer under /api/, a redirect or an error too, carries
    # the CORS headers a browser needs to read it from another site.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Picks the language (from the address; the admin's from the browser) before the
    # page cache below keys a page by it, and keeps it until the page is stored.
    "compendium.middleware.LanguageMiddleware",
    # Stores what the fetch below missed, once every header below is on the response.
    "compendium.middleware.PageCacheUpdateMiddleware",
    # Above sessions, CSRF and messages: it sees the cookies they set on the way
    # out, and never lets a CDN share a response that sets one.
    "compendium.middleware.PublicCacheMiddleware",
    # Before anything that reads a body (CSRF, sessions, the admin's forms).
    "compendium.middleware.RequestBodyLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag on every page and 304 for a matching If-None-Match (CDNs revalidate).
    "django.middleware.http.ConditionalGetMiddleware",
    # The ETag names the content version, so a publish changes it in every process.
    "compendium.middleware.ContentVersionETagMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Whole anonymous pages, keyed by the content version (PAGE_CACHE below).
    "compendium.middleware.PageCacheFetchMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compendium.urls"
# Organisations belong to practices, but their pages are still served by partnerships:
# the project joins the two, so that practices never names the app that depends on it.
WSGI_APPLICATION = "compendium.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: the planner's estimates of the organisations' publication
    # subqueries pass its threshold, and compiling took 1.4-2 s of a 40 ms query
    # (bench/README.md, "Where ?q=bank spends its time"); short web queries never
    # gain from it. No parallel workers either: a page's query that reads 20 rows
    # among the facet index's ids was planned in parallel, and starting the
    # workers took 20-30 ms of its 25-38 (7 ms without them); on a small server
    # the cores they would take serve other requests (bench/README.md, "Parallel
    # workers").
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c max_parallel_workers_per_gather=0"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "compendium",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
#: The interface languages. English (British, as the texts are written) keeps the
#: unprefixed addresses; the others are under /fr/, /es/ and /ar/ (compendium/urls.py).
LANGUAGES = [
    ("en-gb", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
#: Content in several languages (django-modeltranslation; practices/translation.py
#: and partnerships/translation.py say which texts). English is the source: its
#: column is the original one (the exports, the facet index and the search read it)
#: and every other language falls back to it, with a notice (core.translation).
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
MODELTRANSLATION_PREPOPULATE_LANGUAGE = LANGUAGE_CODE
#: A row made with the original field names (a loader, a factory, a revision saved
#: before the translations) fills the English column from them.
MODELTRANSLATION_AUTO_POPULATE = "default"
#: The committed catalogues (locale/<language>/LC_MESSAGES/django.po and its .mo).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# deploy/nginx.conf serves this folder itself (its `location /static/`).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# `make run` serves on runserver with DEBUG off; whitenoise then finds files directly.
WHITENOISE_USE_FINDERS = DEBUG

# Security. Secure cookies and HSTS follow from "not DEBUG"; SSL redirect is
# left to the proxy by default and can be switched on where the app faces the net.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP; a redirect would fail it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# cookiecutter-django's default: the header only allows a submission to the preload
# list, which someone still has to make; `check --deploy` warns without it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# django-csp 4: no inline script or style anywhere; everything comes from our origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The JSON API (api/): read-only and anonymous, so no session, no CSRF, no user.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "api.schema.APISchema",
    # An unknown parameter like any other (the lists ignore it), not a format switch.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Compendium of Promising Practices API",
    "DESCRIPTION": (
        "The published content of the UNODC Compendium of Promising Practices on "
        "Public-Private Partnerships to Prevent and Counter Trafficking in Persons, "
        "as JSON, for researchers, data journalists and anyone building on it. No "
        "key and no sign-in; any website may call it from the browser (CORS).\n\n"
        "Each list takes exactly the parameters of the site's list of the same "
        "name (copy a filtered address from the site and put `/api/v1` in front of "
        "its path) and holds the same rows in the same order as that list and its "
        "CSV export. A page also carries the facet counts shown beside the list and "
        "`messages` for any value that was ignored: an unknown or malformed value "
        "never fails a request, it is left out and reported. Follow `next` until "
        "it is null to read every row, or take the CSV export for the whole list "
        "at once. Only published content is ever shown; a draft's address answers "
        "404."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: the CSP allows no other origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "displayRequestDuration": True,
        "tryItOutEnabled": True,
        "validatorUrl": None,
    },
}
# Any site may read the API from a visitor's browser; no cookie is ever sent along.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# django-axes: lock an account from an address after repeated failed admin logins.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "compendium/lockout.html"
# Behind N reverse proxies the client is read from X-Forwarded-For (django-ipware);
# otherwise every visitor would share the proxy's address and one attacker could lock
# an editor out for everyone. 0 (the default): the app faces clients directly.
# The proxy next to the app is the last one, its address REMOTE_ADDR; the others each
# appended the address they saw, so the client is the N-th address from the right
# (deploy/nginx.conf, the one proxy of the README's deployment, even overwrites the
# header with the address it sees). Whatever a client writes into the header
# itself stands further left and is never read: no forged value picks the address
# a lock-out counts. ipware counts the proxies listed in the header (N - 1) and,
# not strict, takes that position even when a client sent addresses of its own.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_ORDER = "left-most"
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    IPWARE_STRICT = False

# Request bodies. Nothing on this site uploads files; the largest honest body is an
# admin form. nginx refuses a larger one (client_max_body_size in deploy/nginx.conf)
# and, when the app is reached directly, RequestBodyLimitMiddleware answers 413 from
# the Content-Length before anything reads the body (Django's own limit leaves out
# the file parts of a multipart body, which it would read in full).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Anonymous public pages may be cached by a CDN for this many seconds.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "300"))
# Whole anonymous public pages kept in the cache (Redis when REDIS_URL is set) for
# PUBLIC_CACHE_SECONDS, keyed by the content version: a publish is shown at the next
# request (compendium.middleware.VersionedPageCache). Off: every page is rendered.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
CACHE_MIDDLEWARE_SECONDS = PUBLIC_CACHE_SECONDS
CACHE_MIDDLEWARE_KEY_PREFIX = ""
# Facet counts per cleaned query string, dropped whenever content changes (0: off).
FACET_CACHE_SECONDS = int(
    os.environ.get("FACET_CACHE_SECONDS", str(PUBLIC_CACHE_SECONDS))
)
# Facet counts from an in-process index of the published rows, rebuilt when the
# content version moves (core.listing.index); off: counted in SQL.
FACET_INDEX = env_bool("FACET_INDEX", True)
# How long a process may search with synonyms and a "did you mean" vocabulary read
# earlier (an edit drops both at once where the cache is shared, e.g. Redis).
SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", "300"))
# Searches that found nothing are counted in memory and written every this many
# searches or seconds, whichever comes first (core.search.record_miss).
SEARCH_MISS_FLUSH_EVERY = int(os.environ.get("SEARCH_MISS_FLUSH_EVERY", "20"))
SEARCH_MISS_FLUSH_SECONDS = int(os.environ.get("SEARCH_MISS_FLUSH_SECONDS", "60"))

# How visitors reach the editors, shown in the footer of every page: an e-mail address
# or an https:// address (a contact form, say). Unset: the footer offers none, since
# no address has been published for this portal.
EDITORS_CONTACT = os.environ.get("EDITORS_CONTACT", "").strip()
if EDITORS_CONTACT and not re.fullmatch(
    r"[^@\s/:]+@[^@\s/:]+\.[^@\s/:]+|https?://[^\s\"<>]+", EDITORS_CONTACT
):
    raise ImproperlyConfigured(
        "EDITORS_CONTACT must be an e-mail address or an http(s):// address, "
        f"not {EDITORS_CONTACT!r}."
    )

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
