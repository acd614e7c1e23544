"""Facet counts cached per query until the content changes, and the content version.

Counting every facet scans the filtered set once per facet, the bulk of a list
page's time at scale; the same counts serve every visitor with the same filters until
an edit bumps the version that every key holds.

The version lives in the database (``core.models.ContentVersion``), not in the cache:
with local-memory caches each process has a cache of its own, and a version kept there
would only move in the process that made the edit. One small read per request tells
every process, with or without Redis, that content changed; the ETag carries it too.
"""

import contextvars
import hashlib
import json
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation

from core.listing.filters import PRESENTATION_PARAMS
from core.models import ContentVersion

DISPATCH_UID = "core.listing.cache.content_changed"
#: The version read during the request under way, so that its facet keys, its
#: synonyms and its ETag name the same one and the database is asked once: a dict
#: while a request runs (``request_started``), None outside one (a shell, a
#: command), where every call reads.
_during_request = contextvars.ContextVar("core_content_version", default=None)


def content_apps():
    """The apps whose rows can move a facet count or label (settings.LISTING_APPS)."""
    return set(getattr(settings, "LISTING_APPS", ()))


def content_version():
    """The current content version (read once per request)."""
    memo = _during_request.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    version = (
        ContentVersion.objects.filter(pk=1).values_list("version", flat=True).first()
        or 0
    )
    if memo is not None:
        memo["version"] = version
    return version


def _request_started(**kwargs):
    _during_request.set({})


def _request_finished(**kwargs):
    _during_request.set(None)


def first_version():
    """A starting number no earlier database had: a shared cache (Redis) may still
    hold keys from a database that was dropped and made again."""
    return time.time_ns() // 1000


def bump_content_version(using=DEFAULT_DB_ALIAS):
    """Give the content a new version: call after a change no signal reports (a
    ``QuerySet.update()``, ``bulk_create``, raw SQL).

    Inside the writer's transaction, so the new version and the new rows become
    visible to other processes together. The new version is at least the time in
    microseconds, so a version never comes back: a transaction rolled back after a
    bump, and a later one that commits, do not both give version + 1 (what was read
    inside the first, such as an in-process facet index, would seem current).
    """
    memo = _during_request.get()
    if memo is not None:
        memo.pop("version", None)  # the rest of this request reads the new one
    rows = ContentVersion.objects.using(using)
    new = Greatest(F("version") + 1, Value(first_version()))
    if not rows.filter(pk=1).update(version=new):
        rows.get_or_create(pk=1, defaults={"version": first_version()})


def content_changed(sender, **kwargs):
    """Any save, delete or many-to-many change of content bumps the version,
    fixtures loaded raw included."""
    if sender._meta.app_label not in content_apps():
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    bump_content_version(kwargs.get("using") or DEFAULT_DB_ALIAS)


def connect_receivers():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(content_changed, dispatch_uid=DISPATCH_UID)
    request_started.connect(_request_started, dispatch_uid=f"{DISPATCH_UID}.start")
    request_finished.connect(_request_finished, dispatch_uid=f"{DISPATCH_UID}.end")
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
    version = content_version()
    # The groups hold labels (choice labels, "Across sectors") in the page's language.
    language = translation.get_language()
    model = filterset._meta.model._meta.label_lower
    return f"facets:{model}:{language}:{version}:{digest}"


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
