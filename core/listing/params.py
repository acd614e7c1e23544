"""Cleaning the query string: the one rule for what a public list accepts."""

import re

from django.http import QueryDict

MAX_PARAMETERS = 100
MAX_NAME_LENGTH = 50
MAX_VALUES_PER_PARAMETER = 50
MAX_VALUE_LENGTH = 200
#: C0 controls and DEL, except tab and newline: never part of a value anyone types,
#: and PostgreSQL rejects NUL outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def strip_control(text, replacement=""):
    return CONTROL_CHARACTERS.sub(replacement, text)


def clean_params(data):
    """A copy of ``data`` without control characters, repeats or oversized values.

    The first MAX_VALUES_PER_PARAMETER distinct values of a parameter are kept, so a
    link with too many values still filters by the first ones.
    """
    cleaned = QueryDict(mutable=True)
    for key in list(data.keys())[:MAX_PARAMETERS]:
        if CONTROL_CHARACTERS.search(key) or len(key) > MAX_NAME_LENGTH:
            continue
        seen = []
        for value in data.getlist(key):
            value = strip_control(value).strip()[:MAX_VALUE_LENGTH]
            if value and value not in seen:
                seen.append(value)
            if len(seen) >= MAX_VALUES_PER_PARAMETER:
                break
        if seen:
            cleaned.setlist(key, seen)
    return cleaned


def query_string(params, changes=None):
    """``?`` and ``params`` urlencoded, without ``page``, with ``changes`` applied
    ({name: [values]} sets a parameter, an empty list or None removes it)."""
    query = params.copy()
    query.pop("page", None)
    for name, values in (changes or {}).items():
        if values is None or values == []:
            query.pop(name, None)
        else:
            query.setlist(name, list(values))
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def toggled(params, name, value):
    """The query string with ``value`` of ``name`` switched on or off."""
    values = params.getlist(name)
    if value in values:
        return query_string(params, {name: [v for v in values if v != value]})
    return query_string(params, {name: [*values, value]})
