"""Facet counts cached per query until the content changes.

Counting every facet scans the filtered set once per facet, the bulk of a list
page's time at scale; the same counts serve every visitor with the same filters until
an edit bumps the version that every key holds.
"""

import hashlib
import json

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.listing.filters import PRESENTATION_PARAMS

VERSION_KEY = "facets:version"
DISPATCH_UID = "core.listing.cache.forget_facet_counts"


def content_apps():
    """The apps whose rows can move a facet count or label (settings.LISTING_APPS)."""
    return set(getattr(settings, "LISTING_APPS", ()))


def forget_facet_counts(sender, **kwargs):
    """Any edit of content drops every cached facet count (a new version key)."""
    if kwargs.get("raw") or sender._meta.app_label not in content_apps():
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def connect_receivers():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(forget_facet_counts, dispatch_uid=DISPATCH_UID)
    unknown = content_apps() - {config.label for config in apps.get_app_configs()}
    if unknown:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LISTING_APPS names no app: {sorted(unknown)}")


def cache_key(filterset):
    """The cleaned filter values that decide the counts; page and sort do not."""
    params = filterset.params
    values = [
        (name, sorted(params.getlist(name)))
        for name in sorted(filterset.filters)
        if name not in PRESENTATION_PARAMS and params.getlist(name)
    ]
    digest = hashlib.sha256(json.dumps(values).encode()).hexdigest()
    version = cache.get_or_set(VERSION_KEY, 1, None)
    return f"facets:{filterset._meta.model._meta.label_lower}:{version}:{digest}"


def facet_groups(filterset):
    """Each facet's counted options, cached for FACET_CACHE_SECONDS per query."""
    timeout = getattr(settings, "FACET_CACHE_SECONDS", 0)
    if not timeout:
        return count_facets(filterset)
    key = cache_key(filterset)
    groups = cache.get(key)
    if groups is None:
        groups = count_facets(filterset)
        cache.set(key, groups, timeout)
    return groups


def count_facets(filterset):
    """Each facet's options with counts and state, straight from the database."""
    return [facet.group(filterset) for facet in filterset.facets]
