"""Cleaning the query string: the one rule for what a public list accepts."""

import functools
import re
from urllib.parse import urlencode

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
    ({name: [values]} sets a parameter, an empty list or None removes it).

    As ``QueryDict.urlencode`` of a copy with the changes made (a changed parameter
    keeps its place, a new one comes last), without the copy: a list page writes
    a link for each facet option, several hundred, each from the same parameters.
    """
    changes = changes or {}
    pairs = []
    for name, values in params.lists():
        if name == "page":
            continue
        if name in changes:
            values = changes[name] or ()
        pairs.extend(_pair(name, value) for value in values)
    for name, values in changes.items():
        if values and (name == "page" or name not in params):
            pairs.extend(_pair(name, value) for value in values)
    return "?" + "&".join(pairs)


@functools.lru_cache(maxsize=4096, typed=True)
def _pair(name, value):
    # What QueryDict.urlencode writes for one value.
    return urlencode({name.encode(): str(value).encode()})


def toggled(params, name, value):
    """The query string with ``value`` of ``name`` switched on or off."""
    values = params.getlist(name)
    if value in values:
        return query_string(params, {name: [v for v in values if v != value]})
    return query_string(params, {name: [*values, value]})
