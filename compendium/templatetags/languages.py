"""The same page in each interface language: the switcher and the hreflang links."""

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import translation

register = template.Library()


def page_in(request, language):
    """This request's page (path and query) in ``language``; that language's home
    page when the address names no page (a 404)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    with translation.override(language):
        path = None
        if match is not None and match.url_name:
            try:
                path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
            except NoReverseMatch:
                path = None
        if path is None:
            return reverse("home")
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path


@register.simple_tag(takes_context=True)
def language_versions(context):
    """One entry per language of settings.LANGUAGES: ``code``, ``name`` (in its own
    language), ``url``, ``absolute_url``, ``bidi`` and ``is_current``."""
    request = context.get("request")
    if request is None:
        return []
    current = translation.get_language()
    versions = []
    for code, name in settings.LANGUAGES:
        url = page_in(request, code)
        versions.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "bidi": translation.get_language_info(code)["bidi"],
                "is_current": code == current,
            }
        )
    return versions
