from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from compendium.views import is_api


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
