"""Versions of content, read for people: what an item looked like, and what changed.

django-reversion stores the versions (a revision per save, holding the item and the
children it follows: partners, sources, tags...). This module turns an item, live or as
stored in a version, into a *snapshot*, ``{label: text}`` with one entry per field,
many-to-many relation and followed kind of child, so that the conflict message of a
stale form and the diff between two versions read the same way. It also reverts one item
with its own children, never the other items that shared its revision (a load of the
reference content or a bulk action may have saved many at once).
"""

import difflib
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.deletion import Collector
from django.utils.text import capfirst
from reversion.models import Version, _safe_revert
from reversion.revisions import _get_options

from core.translation import english_columns

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str

    @property
    def lines(self):
        """The change line by line, as (mark, text), mark "-", "+" or " "."""
        before, after = (
            [] if value == EMPTY else value.splitlines()
            for value in (self.before, self.after)
        )
        for line in difflib.ndiff(before, after):
            if line[:1] in {"-", "+", " "}:
                yield line[:1], line[2:]


def _followed(model):
    """(label, child model, link) for each kind of child a version of ``model``
    holds; ``link(field_dict, parent_pk)`` says whether a child belongs to it."""
    ct = None
    for name in _get_options(model).follow:
        field = model._meta.get_field(name)
        child = field.related_model
        heading = capfirst(child._meta.verbose_name_plural)
        if isinstance(field, GenericRelation):
            ct = ct or ContentType.objects.get_for_model(model)
            object_id, ct_field = (
                field.object_id_field_name,
                field.content_type_field_name,
            )

            def link(data, pk, object_id=object_id, ct_field=f"{ct_field}_id", ct=ct):
                return (
                    str(data.get(object_id)) == str(pk) and data.get(ct_field) == ct.pk
                )

            skip = {object_id, field.content_type_field_name}
        else:
            fk = field.field

            def link(data, pk, fk=fk):
                return str(data.get(fk.attname)) == str(pk)

            skip = {fk.name}
        yield name, heading, child, link, skip


def _fields(model):
    # A text's English column (``summary_en_gb``) always holds what its original
    # column (``summary``) holds (core.translation): the original stands for both,
    # as it did in the versions saved before there were translations.
    english = set(english_columns(model))
    return [
        field
        for field in model._meta.concrete_fields + model._meta.many_to_many
        if field.editable
        and not field.primary_key
        and field.name in _get_options(model).fields
        and field.name not in english
    ]


def label(field):
    return capfirst(field.verbose_name)


def text(field, value):
    """A field's value as a person reads it: names, not keys."""
    if isinstance(field, models.ManyToManyField):
        names = sorted(
            str(o) for o in field.related_model._base_manager.filter(pk__in=value or [])
        )
        return ", ".join(names) or EMPTY
    if value in (None, ""):
        return EMPTY
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else f"(deleted #{value})"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _row(model, data, skip=()):
    return {
        label(field): text(field, data.get(field.attname))
        for field in _fields(model)
        if field.name not in skip
    }


def _live_data(obj):
    data = {}
    for field in _fields(type(obj)):
        if isinstance(field, models.ManyToManyField):
            data[field.attname] = [o.pk for o in getattr(obj, field.name).all()]
        else:
            data[field.attname] = getattr(obj, field.attname)
    return data


def _child_line(model, data, skip):
    values = [value for value in _row(model, data, skip).values() if value != EMPTY]
    return " · ".join(values)


def snapshot(obj):
    """The item as it is now in the database, with its followed children."""
    model = type(obj)
    result = _row(model, _live_data(obj))
    for name, heading, child, _link, skip in _followed(model):
        lines = sorted(
            _child_line(child, _live_data(item), skip)
            for item in getattr(obj, name).all()
        )
        result[heading] = "\n".join(lines) or EMPTY
    return result


def snapshot_of_version(version):
    """The item as ``version`` stored it, with the children of its revision."""
    model = version._model
    result = _row(model, version.field_dict)
    children = list(version.revision.version_set.exclude(pk=version.pk))
    for _name, heading, child, link, skip in _followed(model):
        lines = sorted(
            _child_line(child, other.field_dict, skip)
            for other in children
            if other._model is child and link(other.field_dict, version.object_id)
        )
        result[heading] = "\n".join(lines) or EMPTY
    return result


def changes(before, after):
    """The entries of two snapshots that differ, in the order of ``after``."""
    return [
        Change(name, before.get(name, EMPTY), value)
        for name, value in after.items()
        if before.get(name, EMPTY) != value
    ]


def versions_of(obj_or_model, pk=None):
    """Versions of one item, newest first."""
    model = obj_or_model if pk is not None else type(obj_or_model)
    pk = pk if pk is not None else obj_or_model.pk
    return (
        Version.objects.get_for_object_reference(model, pk)
        .select_related("revision", "revision__user")
        .order_by("-pk")
    )


def version_numbered(obj, number):
    """The newest stored version of ``obj`` whose row had ``version == number``."""
    for version in versions_of(obj):
        if version.field_dict.get("version") == number:
            return version
    return None


def typed_before_versioning(sender, instance, raw=False, **kwargs):
    """A version serialises the values in memory: turn values assigned as text (the
    reference loader's ISO dates) into what the database will give back."""
    if raw or not reversion.is_registered(sender):
        return
    for field in sender._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, str) and isinstance(
            field, models.DateField | models.TimeField
        ):
            setattr(instance, field.attname, field.to_python(value))


def keep_baseline(obj, comment="As it was when first opened for editing."):
    """Keep the item as it is now as a version, unless its newest version already
    is that (an item saved before versions were kept, or by code outside a revision):
    what an editor opens can then be compared with what is saved meanwhile, and what
    is deleted can be recovered as it was."""
    latest = versions_of(obj).first()
    if latest is not None and latest.field_dict.get("version") == obj.version:
        return
    with reversion.create_revision():
        reversion.set_comment(comment)
        reversion.add_to_revision(obj)


def _own_versions(version):
    """``version`` and the versions of its own children in the same revision."""
    model = version._model
    followed = [(child, link) for _n, _l, child, link, _s in _followed(model)]
    own = [version]
    for other in version.revision.version_set.exclude(pk=version.pk):
        for child, link in followed:
            if other._model is child and link(other.field_dict, version.object_id):
                own.append(other)
    return own


def revert_item(version):
    """Put the item back as ``version`` stored it, with its children: children added
    since are deleted, and no other item of that revision is touched."""
    own = _own_versions(version)
    model = version._model
    with transaction.atomic(using=version.db):
        obj = model._base_manager.filter(pk=version.object_id).first()
        if obj is not None:
            kept = {(o._model, str(o.object_id)) for o in own}
            collector = Collector(using=version.db)
            for name, _label, child, _link, _skip in _followed(model):
                extra = [
                    item
                    for item in getattr(obj, name).all()
                    if (child, str(item.pk)) not in kept
                ]
                if extra:
                    collector.collect(extra)
            collector.delete()
        _safe_revert(own)
