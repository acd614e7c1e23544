from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.utils import translation
from django.utils.cache import (
    cc_delim_re,
    get_max_age,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import quote_etag

from compendium.views import is_api
from core.listing.cache import content_version

SHAREABLE_STATUSES = {200, 304}


class RequestBodyLimitMiddleware:
    """Refuse a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE before it is read.

    Django checks that limit only for the form fields of a body: the file parts of a
    multipart body (a 20 MB one to the sign-in page, say) would be read in full into
    a temporary file. The site takes no uploads, so the declared length decides, as
    nginx's client_max_body_size does in front (deploy/nginx.conf).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            message = f"This request's body is too large: at most {limit} bytes."
            if is_api(request):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(
                f"{message}\n", status=413, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


class PublicCacheMiddleware:
    """Let a CDN cache anonymous public GET pages; keep everything else private.

    Pages for signed-in users (staff previews drafts), the admin and anything that
    sets a cookie are never shared. Views that already chose a Cache-Control keep it,
    unless the response is one visitor's own (it sets a cookie, or it varies on the
    cookie of a session the request carries): then no cache may share it, whatever
    the view chose.

    Placed above every middleware that may set a cookie (sessions, CSRF, messages),
    so that it decides on the finished response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_personal(request, response):
            make_private(response)
            return response
        if response.has_header("Cache-Control"):
            return response
        is_anonymous = (
            not getattr(request, "user", None) or not request.user.is_authenticated
        )
        if (
            request.method in {"GET", "HEAD"}
            and response.status_code in SHAREABLE_STATUSES
            and is_anonymous
            and not request.path.startswith("/admin/")
        ):
            patch_cache_control(
                response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS
            )
            patch_vary_headers(response, ["Cookie"])
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response


def is_personal(request, response):
    """Whether the response belongs to one visitor: it sets (or deletes) a cookie, or
    it varies on Cookie and the request carries a session."""
    if response.cookies:
        return True
    vary = {
        field.strip().lower()
        for field in cc_delim_re.split(response.get("Vary", ""))
        if field.strip()
    }
    return "cookie" in vary and settings.SESSION_COOKIE_NAME in request.COOKIES


def make_private(response):
    """Only the visitor's own browser may keep it, and must revalidate it."""
    directives = {
        part.strip().split("=", 1)[0].lower()
        for part in response.get("Cache-Control", "").split(",")
    }
    if "no-store" in directives:
        patch_cache_control(response, private=True)
        return
    max_age = get_max_age(response)
    if response.has_header("Cache-Control"):
        del response["Cache-Control"]
    patch_cache_control(response, private=True, no_cache=True)
    if max_age is not None:
        patch_cache_control(response, max_age=max_age)


class ContentVersionETagMiddleware:
    """An ETag that names the content version as well as the page's bytes.

    Placed inside ConditionalGetMiddleware, which then answers 304 for it. The version
    is the one the page's cached facet counts were read under: a publish anywhere
    changes every page's ETag, in every process at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in {"GET", "HEAD"}
            and response.status_code == 200
            and not response.streaming
            and not response.has_header("ETag")
            and "no-store" not in response.get("Cache-Control", "")
        ):
            set_response_etag(response)
            if response.has_header("ETag"):
                digest = response["ETag"].strip('"')
                response["ETag"] = quote_etag(f"{content_version()}-{digest}")
        return response


class VersionedPageCache:
    """The key prefix of the page cache: the content version.

    Every cached page is keyed by the version it was rendered under, read once per
    request (the same version its facet counts and ETag carry): a publish anywhere
    makes every cached page unreachable in every process at its next request, with
    or without Redis, and nothing has to be deleted. What may be cached is Django's
    cache middleware's rule, on the finished response: GET or HEAD, status 200, not
    streamed (exports are not kept), no cookie set, not private (PublicCacheMiddleware
    makes signed-in visitors' pages private), keyed by the URL and every header it
    varies on (Cookie, so a session never reaches another visitor's page).
    """

    @property
    def key_prefix(self):
        return f"{self._prefix}page-{content_version()}"

    @key_prefix.setter
    def key_prefix(self, value):
        self._prefix = value


class PageCacheUpdateMiddleware(VersionedPageCache, UpdateCacheMiddleware):
    """Stores a cacheable page (first in MIDDLEWARE: it sees the final headers)."""

    def process_response(self, request, response):
        if not settings.PAGE_CACHE:
            return response
        return super().process_response(request, response)


class PageCacheFetchMiddleware(VersionedPageCache, FetchFromCacheMiddleware):
    """Answers from the page cache (last but one in MIDDLEWARE: a hit still goes
    out through ConditionalGetMiddleware, so a matching If-None-Match gets 304)."""

    def process_request(self, request):
        if not settings.PAGE_CACHE:
            return None
        try:
            return super().process_request(request)
        except DatabaseError:
            # No version to key by: answer as without the cache, the view meets the
            # same fault and answers it in its own way (/healthz: JSON 503).
            request._cache_update_cache = False
            return None


class LanguageMiddleware:
    """The language of a public page is named by its address alone.

    ``/fr/...`` is French and an unprefixed address English, whatever the browser
    asks and with no cookie: so each address is one page, a CDN keeps one copy of
    it (no ``Vary: Accept-Language``) and a link always opens in the language it
    names (the switcher is plain links). The API, data rather than interface,
    answers in English too. Only the admin, which no cache shares, follows the
    editor's browser (Accept-Language, or Django's language cookie).

    In place of Django's LocaleMiddleware, which puts every unprefixed address in
    the default language once i18n_patterns leave English unprefixed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_admin(request):
            language = translation.get_language_from_request(request)
        else:
            language = translation.get_language_from_path(request.path_info)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
            if is_admin(request):
                patch_vary_headers(response, ["Accept-Language"])
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            # The page is rendered by now (a streamed body is an export, written in
            # English); the thread's next request, task or command starts afresh.
            translation.deactivate()
        return response


def is_admin(request):
    return request.path_info.startswith("/admin/")
