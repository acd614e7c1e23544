import re

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.citation import COMPENDIUM_CITATION
from core.listing.params import strip_control
from core.search import HIGHLIGHT_START, HIGHLIGHT_STOP
from practices.models import COMPENDIUM_URL

register = template.Library()

_MARKERS = re.compile(f"({re.escape(HIGHLIGHT_START)}|{re.escape(HIGHLIGHT_STOP)})")


@register.filter
def paragraphs(text):
    """Split editor text on blank lines, for templates that render paragraphs."""
    return [part.strip() for part in str(text or "").split("\n\n") if part.strip()]


@register.filter
def highlight(snippet):
    """A search snippet, escaped, with its matches in <mark> elements.

    The match markers are control characters, which stored text should never hold
    (core.text) but older rows may: every <mark> opened is closed, a stray start
    inside a match or a stray stop outside one is dropped, and any other control
    character is removed, so the markup is balanced whatever the text.
    """
    parts, inside = [], False
    for piece in _MARKERS.split(str(snippet or "")):
        if piece == HIGHLIGHT_START:
            if not inside:
                parts.append("<mark>")
                inside = True
        elif piece == HIGHLIGHT_STOP:
            if inside:
                parts.append("</mark>")
                inside = False
        else:
            parts.append(escape(strip_control(piece)))
    if inside:
        parts.append("</mark>")
    return mark_safe("".join(parts))


@register.simple_tag
def compendium_url():
    """The Compendium's own page at UNODC, linked from the footer, About and every
    practice's provenance note."""
    return COMPENDIUM_URL


@register.simple_tag
def compendium_citation():
    """How to cite the Compendium itself, as core.citation words it."""
    return COMPENDIUM_CITATION


@register.simple_tag
def editors_contact():
    """The editors' contact from settings.EDITORS_CONTACT as {"href", "text"}, or
    None when no address is configured."""
    contact = settings.EDITORS_CONTACT
    if not contact:
        return None
    if contact.startswith(("http://", "https://")):
        return {"href": contact, "text": contact.split("://", 1)[1].rstrip("/")}
    return {"href": f"mailto:{contact}", "text": contact}
