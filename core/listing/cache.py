"""Facet counts cached per query until the content changes, and the content version.

Counting every facet scans the filtered set once per facet, the bulk of a list
page's time at scale; the same counts serve every visitor with the same filters until
an edit bumps the version that every key holds.

The version lives in the database (``core.models.ContentVersion``), not in the cache:
with local-memory caches each process has a cache of its own, and a version kept there
would only move in the process that made the edit. One small read per request tells
every process, with or without Redis, that content changed; the ETag carries it too.
"""

import contextlib
import contextvars
import hashlib
import json
import time

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, ForeignObjectRel, ManyToManyRel, Value
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import translation

from core.listing.filters import PRESENTATION_PARAMS
from core.models import ContentChange, ContentVersion

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


#: The changes held back by ``one_bump`` (a dict of database alias to the changes
#: its rows made, None for "anything may have"), None outside one.
_held = contextvars.ContextVar("core_held_changes", default=None)

#: More changes than this in one bump are logged as "anything may have": an index
#: would read afresh anyway (core.listing.index.MOST_CHANGED_ROWS).
MOST_LOGGED_CHANGES = 5000


@contextlib.contextmanager
def one_bump():
    """Give the content one new version for everything changed inside, when the
    block ends without an error, instead of one version a saved row.

    For a command saving thousands of rows (the reference loader): each bump
    writes a version and a change row, and a file's rows are one change anyway.
    Use it inside the writer's transaction, so the version still moves with the
    rows; nested, the outermost block bumps.
    """
    if _held.get() is not None:
        yield
        return
    held = {}
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    for using, changes in held.items():
        if changes is not None:
            changes = [list(change) for change in dict.fromkeys(map(tuple, changes))]
            if len(changes) > MOST_LOGGED_CHANGES:
                changes = None
        bump_content_version(using, changes)


#: How long a ContentChange is kept: an index older than that reads everything again.
CHANGES_KEPT_US = 24 * 3600 * 1_000_000


def bump_content_version(using=DEFAULT_DB_ALIAS, changes=None):
    """Give the content a new version: call after a change no signal reports (a
    ``QuerySet.update()``, ``bulk_create``, raw SQL).

    Inside the writer's transaction, so the new version and the new rows become
    visible to other processes together. The new version is at least the time in
    microseconds, so a version never comes back: a transaction rolled back after a
    bump, and a later one that commits, do not both give version + 1 (what was read
    inside the first, such as an in-process facet index, would seem current).

    ``changes`` (see ``core.models.ContentChange``) says which rows changed, so an
    index can re-read only those; None, the default, says "anything may have".
    """
    held = _held.get()
    if held is not None:
        if changes is None or held.get(using, []) is None:
            held[using] = None
        else:
            held.setdefault(using, []).extend(changes)
        return
    memo = _during_request.get()
    if memo is not None:
        memo.pop("version", None)  # the rest of this request reads the new one
    rows = ContentVersion.objects.using(using)
    new = Greatest(F("version") + 1, Value(first_version()))
    with transaction.atomic(using=using):
        # One UPDATE both locks the row and keeps the number it replaces, so the
        # change row below names the version it follows, with no read between.
        if not rows.filter(pk=1).update(previous=F("version"), version=new):
            rows.get_or_create(pk=1, defaults={"version": first_version()})
        version, previous = rows.filter(pk=1).values_list("version", "previous").get()
        log = ContentChange.objects.using(using)
        log.create(version=version, previous=previous, changes=changes)
        with connections[using].cursor() as cursor:
            # Raw: a queryset delete would read each row first to send signals.
            table = connections[using].ops.quote_name(ContentChange._meta.db_table)
            cursor.execute(
                f"DELETE FROM {table} WHERE version < %s",
                [version - CHANGES_KEPT_US],
            )


def _keys_before(sender, instance, raw=False, using=None, **kwargs):
    """Before a row is saved over: where its foreign keys pointed, so that the
    change names the rows it leaves as well as those it joins."""
    if raw or instance.pk is None or instance._state.adding:
        return
    if sender._meta.app_label not in content_apps():
        return
    names = [field.attname for field in _foreign_keys(sender)]
    if names:
        instance._content_keys_before = (
            sender._base_manager.using(using or DEFAULT_DB_ALIAS)
            .filter(pk=instance.pk)
            .values(*names)
            .first()
        )


def _foreign_keys(model):
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and (field.many_to_one or field.one_to_one)
    ]


def _referring(model):
    """The tables whose rows point at ``model``'s: a delete may change them without
    a signal (a many-to-many link, a ``SET_NULL``)."""
    found = set()
    for field in model._meta.get_fields(include_hidden=True):
        if isinstance(field, ManyToManyRel):
            found.add(field.through)
        elif isinstance(field, ForeignObjectRel):
            if field.field.concrete:
                found.add(field.related_model)
        elif field.many_to_many:
            found.add(field.remote_field.through)
    found.discard(model)
    return found


def _changes(
    sender, instance, action=None, model=None, pk_set=None, raw=False, deleted=False
):
    """The rows a signal reports changed, as ``ContentChange.changes`` lists them;
    None when it cannot say (a raw fixture load, a many-to-many ``clear()``).

    A delete adds ``[table, deleted model, its key, "deleted"]`` for each table
    that may point at the row: which of their rows went with it is not known."""
    if raw:
        return None
    label = sender._meta.label
    if action is not None:
        if pk_set is None:
            return None
        return [[label, instance._meta.label, instance.pk]] + [
            [label, model._meta.label, pk] for pk in sorted(pk_set)
        ]
    changes = [[label, label, instance.pk]]
    before = getattr(instance, "_content_keys_before", None) or {}
    for field in _foreign_keys(sender):
        target = field.related_model._meta.label
        for value in {getattr(instance, field.attname), before.get(field.attname)}:
            if value is not None:
                changes.append([label, target, value])
    for field in sender._meta.private_fields:
        if isinstance(field, GenericForeignKey):
            type_id = getattr(instance, sender._meta.get_field(field.ct_field).attname)
            object_id = getattr(instance, field.fk_field)
            if type_id is None or object_id is None:
                continue
            target = ContentType.objects.get_for_id(type_id).model_class()
            if target is None:
                return None
            changes.append([label, target._meta.label, object_id])
    if deleted:
        changes += [
            [referring._meta.label, label, instance.pk, "deleted"]
            for referring in sorted(_referring(sender), key=lambda m: m._meta.label)
        ]
    return changes


def content_changed(sender, **kwargs):
    """Any save, delete or many-to-many change of content bumps the version,
    fixtures loaded raw included."""
    if sender._meta.app_label not in content_apps():
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    changes = _changes(
        sender,
        kwargs["instance"],
        action=action,
        model=kwargs.get("model"),
        pk_set=kwargs.get("pk_set"),
        raw=kwargs.get("raw", False),
        deleted=kwargs.get("signal") is post_delete,
    )
    bump_content_version(kwargs.get("using") or DEFAULT_DB_ALIAS, changes)


def connect_receivers():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(content_changed, dispatch_uid=DISPATCH_UID)
    pre_save.connect(_keys_before, dispatch_uid=f"{DISPATCH_UID}.before")
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
