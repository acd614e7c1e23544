from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.search import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()


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
