"""Editors' text as it is stored: no control characters, whoever saves it.

One rule (``core.listing.params.CONTROL_CHARACTERS``) applied on every save of content
(the admin, the reference loader, a shell or a script alike), so no stored text can
break a page, a search snippet or an export. Long texts (``TextField``) keep their
line breaks and tabs; one-line fields turn them into spaces.
"""

import re

from django.db import models

from core.listing.cache import content_apps
from core.listing.params import CONTROL_CHARACTERS

# Browsers send a textarea's line breaks as CR LF; a lone CR is an old Mac's.
_CARRIAGE_RETURNS = re.compile(r"\r\n?")
_LINE_SPACING = re.compile(r"[\t\n]")

DISPATCH_UID = "core.text.clean_text_fields"


def clean_text(value, *, multiline):
    """``value`` without control characters; with ``multiline``, line breaks (as
    ``\\n``) and tabs stay, otherwise they become spaces."""
    value = _CARRIAGE_RETURNS.sub("\n", value)
    if not multiline:
        value = _LINE_SPACING.sub(" ", value)
    return CONTROL_CHARACTERS.sub("", value)


def clean_text_fields(sender, instance, **kwargs):
    """Clean every text field of content (``settings.LISTING_APPS``) before a save."""
    if sender._meta.app_label not in content_apps():
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname)
        # A CountryField is a CharField whose value is a Country object.
        if isinstance(value, str):
            cleaned = clean_text(value, multiline=isinstance(field, models.TextField))
            if cleaned != value:
                setattr(instance, field.attname, cleaned)


def connect_receivers():
    models.signals.pre_save.connect(clean_text_fields, dispatch_uid=DISPATCH_UID)
