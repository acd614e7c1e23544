from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers


class PublicCacheMiddleware:
    """Let a CDN cache anonymous public GET pages; keep everything else private.

    Pages for signed-in users (staff previews drafts), the admin and anything that
    set a cookie are never shared. Views that already chose a Cache-Control keep it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        is_anonymous = (
            not getattr(request, "user", None) or not request.user.is_authenticated
        )
        if (
            request.method in {"GET", "HEAD"}
            and response.status_code == 200
            and is_anonymous
            and not request.path.startswith("/admin/")
            and not response.cookies
        ):
            patch_cache_control(
                response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS
            )
            patch_vary_headers(response, ["Cookie"])
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response
