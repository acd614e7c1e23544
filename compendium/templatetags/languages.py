"""The same page in each interface language: the switcher and the hreflang links."""

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import translation
from django.utils.html import format_html

from core.translation import SOURCE_LANGUAGE, shown_language, untranslated

register = template.Library()

#: English as an HTML ``lang`` value (BCP 47: en-GB).
SOURCE_LANGUAGE_TAG = translation.to_locale(SOURCE_LANGUAGE).replace("_", "-")


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


def _english_attributes():
    """The attributes that mark English text on a page in another language: its
    language, and its direction on a right-to-left page."""
    if translation.get_language_bidi():
        return format_html(' lang="{}" dir="ltr"', SOURCE_LANGUAGE_TAG)
    return format_html(' lang="{}"', SOURCE_LANGUAGE_TAG)


@register.simple_tag
def text_lang(obj, field, headline=None):
    """`` lang="en-GB"`` (and ``dir="ltr"`` on an Arabic page) on the element that
    shows ``obj.<field>`` when the text is shown in English on a page in another
    language, since it is not written in that language yet; nothing otherwise.

    A search ``headline`` is cut from the English text, so it is English too.
    """
    active = translation.get_language() or SOURCE_LANGUAGE
    if active == SOURCE_LANGUAGE:
        return ""
    if not headline and shown_language(obj, field) == active:
        return ""
    return _english_attributes()


@register.inclusion_tag("includes/untranslated_notice.html")
def untranslated_notice(obj, *fields):
    """The plain notice a page shows above texts only available in English."""
    return {"show": untranslated(obj, fields or None)}
