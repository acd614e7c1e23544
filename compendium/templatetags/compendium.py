import re
from html import unescape

from django import template
from django.conf import settings
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from compendium.structured_data import (
    SITE_NAME,
    described_object,
    is_public,
    json_ld,
    og_type,
    structured_data,
)
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


@register.simple_tag(takes_context=True)
def page_meta(context):
    """The page's canonical address, OpenGraph and Twitter card, feed link and,
    on a practice, meeting or organisation page, its schema.org JSON-LD.

    Put in base.html's <head> after the <title>: the title and description are
    the page's own ``title`` and ``meta_description`` blocks, rendered again here,
    so every page says them once.
    """
    request = context.get("request")
    if request is None:
        return ""
    absolute = request.build_absolute_uri
    obj = described_object(context)
    public = obj is None or is_public(obj)
    values = {
        "meta_title": _block_text(context, "title"),
        "meta_description": _block_text(context, "meta_description"),
        "meta_url": absolute(context.get("canonical_url") or request.path),
        "meta_type": og_type(obj),
        "meta_site_name": SITE_NAME,
        "meta_noindex": not public,
        "meta_json_ld": (
            json_ld(structured_data(obj, absolute))
            if obj is not None and public
            else ""
        ),
    }
    template = context.template.engine.get_template("includes/meta.html")
    with context.push(values):
        return template.render(context)


def _block_text(context, name):
    """The text of block ``name`` as this page fills it, on one line."""
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = blocks.get_block(name) if blocks else None
    if block is None:
        return ""
    with context.push(block=block):
        text = unescape(strip_tags(block.nodelist.render(context)))
    return " ".join(text.split())


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
