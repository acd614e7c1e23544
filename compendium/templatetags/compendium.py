from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from compendium.search import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()


@register.simple_tag(takes_context=True)
def remove_value(context, param, value):
    """The current URL's query string without one value of one parameter (and page)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    values = [v for v in query.getlist(param) if v != value]
    if values:
        query.setlist(param, values)
    else:
        query.pop(param, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def paragraphs(text):
    """Split editor text on blank lines, for templates that render paragraphs."""
    return [part.strip() for part in str(text or "").split("\n\n") if part.strip()]


@register.filter
def highlight(snippet):
    """A search snippet, escaped, with its matches in <mark> elements."""
    text = escape(str(snippet or ""))
    return mark_safe(
        text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    )
