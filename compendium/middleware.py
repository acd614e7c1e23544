from django.conf import settings
from django.utils.cache import (
    cc_delim_re,
    get_max_age,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import quote_etag

from core.listing.cache import content_version

SHAREABLE_STATUSES = {200, 304}


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
                response["ETag"] = quote_etag(f"{content_version(request)}-{digest}")
        return response
