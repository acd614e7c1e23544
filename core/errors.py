from django.http import Http404


class PublicHttp404(Http404):
    """A 404 whose message is written for the public and may be shown on the page."""
