"""Load the reference content in fixtures/reference/*.json without undoing edits.

Every row is matched on its natural key (slug, ISO code, or the text of an action
point, lesson or insight within its parent). The loader creates what is missing and
records, per row, the values it wrote (``core.models.LoadedRow``). On the next run a
row whose values still equal that record is updated when its fixture changed; a row
that differs was edited since it was loaded and is left alone, and said so, unless
``--overwrite`` is given. A record of the values, not only a digest, lets the loader
say which fields were edited and keep the partners, tags, sources and links an editor
added (those in the row but not in the record) even when it overwrites.

The loader never changes the status of a row that exists: new rows are published,
and publishing, unpublishing and archiving stay a publisher's decision.

Fixture values pass the admin's own validation (a ModelForm with the admin's URL
rule, so lengths, choices, URL schemes and constraints); one bad row stops its whole
file, which loads in a transaction of its own. Django's ``loaddata`` is not used
because django-taggit's tagged items have no usable natural key, and because the
derived data (regions implied by countries, PostgreSQL search vectors) must be
rebuilt after a load. The file format is documented in fixtures/README.md.
"""

import hashlib
import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import reversion
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, models, transaction
from django.forms.models import modelform_factory
from taggit.models import Tag

from core.admin import HttpsUrlFields
from core.models import LoadedRow, Publishable, Status
from core.text import clean_text
from core.translation import translations
from partnerships.models import ActionPoint, Insight, Meeting, MeetingSource, Strategy
from practices.countries import add_missing_countries
from practices.models import (
    Audience,
    Country,
    LessonLearned,
    Organisation,
    PartnershipKind,
    Practice,
    PracticePartner,
    PracticeSource,
    Region,
    Sector,
    Stage,
)
from practices.search import refresh_search_vectors, refreshed_once


@dataclass(frozen=True)
class Children:
    """Rows that belong to the loaded row (its sources, partners, insights)."""

    name: str  # the fixture key and the reverse accessor on the parent
    model: type
    parent: str  # the child's foreign key to the parent
    key: str  # the field naming a child within its parent
    fields: tuple


@dataclass(frozen=True)
class Section:
    name: str
    model: type
    key: str
    fields: tuple  # columns and foreign keys the fixture sets
    relations: tuple = ()  # many-to-many relations declared on the model
    reverse_relations: tuple = ()  # many-to-many relations declared on the other side
    children: tuple = ()
    has_tags: bool = False
    after_save: object = None
    # {fixture name: model field} where the fixtures use a shorter name.
    renamed: tuple = ()

    @property
    def label(self):
        return self.model._meta.label_lower

    def model_names(self, row):
        """The fixture row with its keys as the model names them."""
        renamed = dict(self.renamed)
        return {renamed.get(name, name): value for name, value in row.items()}

    @property
    def form_fields(self):
        return (self.key, *self.fields, *self.relations)


SOURCE_FIELDS = ("title", "publisher", "published_on", "order")
TAXONOMY_FIELDS = ("name", "description", "order")

SECTIONS = [
    Section(
        "sectors",
        Sector,
        "slug",
        ("name", "summary", "description", "order", *translations(Sector)),
    ),
    Section("stages", Stage, "slug", TAXONOMY_FIELDS),
    Section("audiences", Audience, "slug", TAXONOMY_FIELDS),
    Section("kinds", PartnershipKind, "slug", TAXONOMY_FIELDS),
    Section("regions", Region, "slug", ("name", "parent", "order")),
    Section("countries", Country, "code", ("region",)),
    Section(
        "organisations",
        Organisation,
        "slug",
        ("name", "type", "country", "website", "description"),
    ),
    Section(
        "meetings",
        Meeting,
        "slug",
        (
            "title",
            "short_title",
            "kind",
            "region",
            "region_detail",
            "start_date",
            "date_precision",
            "end_date",
            "date_note",
            "outcomes_published",
            "format",
            "host_office",
            "participants_count",
            "participants_note",
            "summary",
            "description",
            "funder",
        ),
        relations=("organisations",),
        children=(
            Children("sources", MeetingSource, "meeting", "url", SOURCE_FIELDS),
            Children("insights", Insight, "meeting", "text", ("sector", "order")),
        ),
    ),
    Section(
        "practices",
        Practice,
        "slug",
        (
            "title",
            "summary",
            "description",
            "kind",
            "start_year",
            "end_year",
            "outcomes",
            "maturity",
            "maturity_source_url",
            "provenance",
            "provenance_source_url",
            "provenance_note",
        ),
        relations=("sectors", "countries", "regions", "stages", "audiences"),
        # The meetings behind its provenance (``Provenance.meeting_relation``).
        reverse_relations=("meetings", "organisation_meetings"),
        children=(
            Children(
                "partners",
                PracticePartner,
                "practice",
                "organisation",
                ("role", "order"),
            ),
            Children("sources", PracticeSource, "practice", "url", SOURCE_FIELDS),
        ),
        has_tags=True,
        # Countries imply their regions and every wider region.
        after_save=Practice.sync_regions,
    ),
    Section(
        "action_points",
        ActionPoint,
        "text",
        ("audience", "sector", "meeting", "derived_note", "source_url", "order"),
        relations=("practices",),
        renamed=(("note", "derived_note"),),
    ),
    Section(
        "lessons",
        LessonLearned,
        "text",
        ("sector", "source_url", "order"),
        relations=("practices",),
        reverse_relations=("meetings",),
    ),
    Section(
        "strategies",
        Strategy,
        "text",
        ("sector", "meeting", "source_url", "order"),
        relations=("audiences", "practices"),
    ),
]
SECTION_NAMES = [section.name for section in SECTIONS]


class RowError(Exception):
    """A fixture row the admin would refuse; its file loads nothing."""


def _admin_formfield(db_field, **kwargs):
    # The admin's own rule for this kind of field (HttpsUrlFields), then Django's.
    for klass in type(db_field).__mro__:
        if klass in HttpsUrlFields.formfield_overrides:
            kwargs = {**HttpsUrlFields.formfield_overrides[klass], **kwargs}
            break
    return db_field.formfield(**kwargs)


@cache
def _form_class(model, fields):
    return modelform_factory(model, fields=fields, formfield_callback=_admin_formfield)


def _natural_key(obj):
    return (
        None if obj is None else str(obj.code if isinstance(obj, Country) else obj.slug)
    )


def _key_field(model):
    return "code" if model is Country else "slug"


def _resolve(model, values, where, links=False):
    """The ``model`` rows the fixture names by natural key, in the fixture's order.

    A row whose key an editor changed after it was loaded is found through what the
    loader recorded. With ``links``, a row an editor deleted after it was loaded is
    left out rather than refused: the editor removed that link.
    """
    values = [str(value) for value in values]
    manager = model._default_manager
    found = {
        _natural_key(obj): obj
        for obj in manager.filter(**{f"{_key_field(model)}__in": values})
    }
    missing = [value for value in values if value not in found]
    if missing:
        recorded = dict(
            LoadedRow.objects.filter(
                model=model._meta.label_lower, key__in=missing
            ).values_list("key", "object_id")
        )
        renamed = manager.in_bulk(recorded.values())
        for key, pk in recorded.items():
            if pk in renamed:
                found[key] = renamed[pk]
        deleted = {key for key in recorded if key not in found}
        if links:
            values = [value for value in values if value not in deleted]
        missing = [value for value in values if value not in found]
    if missing:
        raise RowError(f"{where}: unknown {model._meta.verbose_name} {missing}")
    return [found[value] for value in values]


def _resolve_one(model_field, value, where):
    """The row a foreign key names; None for one an editor deleted, if it may be."""
    if value in (None, ""):
        return None
    found = _resolve(model_field.related_model, [value], where, links=model_field.null)
    return found[0] if found else None


def _json(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)  # a django-countries Country


def _scalar(obj, name):
    model_field = obj._meta.get_field(name)
    if model_field.is_relation:
        return _natural_key(getattr(obj, name))
    return _json(getattr(obj, name))


def _children_of(parent, children):
    """{key: child} of one kind of child of a saved parent."""
    if parent is None or parent.pk is None:
        return {}
    rows = getattr(parent, children.name).all()
    if children.model._meta.get_field(children.key).is_relation:
        rows = rows.select_related(children.key)
    return {str(_scalar(child, children.key)): child for child in rows}


def snapshot(section, obj):
    """A saved row's values as the fixtures spell them (natural keys, ISO dates)."""
    values = {name: _scalar(obj, name) for name in (section.key, *section.fields)}
    for name in (*section.relations, *section.reverse_relations):
        values[name] = sorted(_natural_key(item) for item in getattr(obj, name).all())
    if section.has_tags:
        values["tags"] = sorted(obj.tags.names())
    for children in section.children:
        values[children.name] = {
            key: {name: _scalar(child, name) for name in children.fields}
            for key, child in _children_of(obj, children).items()
        }
    return values


def edited_fields(current, recorded):
    # A field the record lacks was added to the model after the row was loaded: the
    # loader never wrote it, so no editor can have changed it from what it wrote.
    return [
        name for name in current if name in recorded and current[name] != recorded[name]
    ]


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list):
        return [item.pk for item in value]
    return value


def _errors(form, prefix=""):
    return "; ".join(
        f"{prefix}{name}: {' '.join(error.messages[0] for error in errors)}"
        if name != "__all__"
        else f"{prefix}{' '.join(error.messages[0] for error in errors)}"
        for name, errors in form.errors.as_data().items()
    )


def _kept(fixture, current, recorded):
    """The fixture's items, plus those an editor added (in the row, not the record)."""
    return list(dict.fromkeys([*fixture, *(set(current) - set(recorded))]))


@dataclass
class Plan:
    """A validated fixture row, ready to be written over ``form.instance``."""

    section: Section
    form: forms.ModelForm
    is_new: bool
    reverse: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    children: list = field(default_factory=list)  # (Children, [forms], [to delete])

    def save(self):
        obj = self.form.save(commit=False)
        if self.is_new and isinstance(obj, Publishable):
            obj.status = Status.PUBLISHED
        obj.save()
        self.form.save_m2m()
        for name, items in self.reverse.items():
            getattr(obj, name).set(items)
        if self.section.has_tags:
            obj.tags.set(self.tags, clear=True)
        for children, child_forms, stale in self.children:
            for child in stale:
                child.delete()
            for child_form in child_forms:
                child = child_form.save(commit=False)
                setattr(child, children.parent, obj)
                child.save()
        if self.section.after_save:
            self.section.after_save(obj)
        return obj


def plan(section, row, index, obj, recorded):
    """Validate ``row`` as the admin would, over ``obj`` (None for a new row).

    Relations keep what an editor added: the fixture's items, plus the items the row
    has and ``recorded`` (what the loader last wrote) has not.
    """
    row = section.model_names(row)
    unknown = (
        set(row)
        - {*section.form_fields, *section.reverse_relations}
        - {children.name for children in section.children}
    )
    if section.has_tags:
        unknown.discard("tags")
    if unknown:
        raise RowError(f"unknown fields {sorted(unknown)}")
    model = section.model
    current = snapshot(section, obj) if obj is not None else {}
    data = {}
    for name in (section.key, *section.fields):
        model_field = model._meta.get_field(name)
        if name in row:
            value = row[name]
        elif name == "order":
            value = index
        else:
            value = model_field.get_default()
        if model_field.is_relation:
            value = _resolve_one(model_field, value, name)
        data[name] = _form_value(value)
    reverse = {}
    for name in (*section.relations, *section.reverse_relations):
        target = model._meta.get_field(name).related_model
        if not isinstance(row.get(name, []), list):
            raise RowError(f"{name}: not a list")
        keys = _kept(
            [str(key) for key in row.get(name, [])],
            current.get(name, []),
            recorded.get(name, []),
        )
        items = _resolve(target, keys, name, links=True)
        if name in section.relations:
            data[name] = _form_value(items)
        else:
            reverse[name] = items
    form = _form_class(model, section.form_fields)(data, instance=obj)
    if not form.is_valid():
        raise RowError(_errors(form))
    result = Plan(section, form, is_new=obj is None, reverse=reverse)
    if section.has_tags:
        if not isinstance(row.get("tags", []), list):
            raise RowError("tags: not a list")
        tags = [str(tag).strip() for tag in row.get("tags", [])]
        max_length = Tag._meta.get_field("name").max_length
        for tag in tags:
            if not tag or len(tag) > max_length or "\x00" in tag:
                raise RowError(
                    f"tags: {tag[:40]!r} is empty, longer than {max_length} "
                    "characters or holds a null character"
                )
        result.tags = _kept(tags, current.get("tags", []), recorded.get("tags", []))
    for children in section.children:
        result.children.append(
            _plan_children(
                children,
                row.get(children.name, []),
                obj,
                current.get(children.name, {}),
                recorded.get(children.name, {}),
            )
        )
    return result


def _plan_children(children, rows, parent, current, recorded):
    existing = _children_of(parent, children)
    form_class = _form_class(children.model, (children.key, *children.fields))
    key_field = children.model._meta.get_field(children.key)
    child_forms, wanted = [], set()
    if not isinstance(rows, list):
        raise RowError(f"{children.name}: not a list")
    for index, row in enumerate(rows):
        where = f"{children.name}[{index}]"
        if not isinstance(row, dict):
            raise RowError(f"{where}: not an object")
        unknown = set(row) - {children.key, *children.fields}
        if unknown:
            raise RowError(f"{where}: unknown fields {sorted(unknown)}")
        data = {}
        for name in (children.key, *children.fields):
            model_field = children.model._meta.get_field(name)
            value = row.get(
                name, index if name == "order" else model_field.get_default()
            )
            if model_field.is_relation:
                value = _resolve_one(model_field, value, where)
            data[name] = _form_value(value)
        if key_field.is_relation:
            if row.get(children.key) and data[children.key] == "":
                continue  # an organisation an editor deleted: the link goes with it
            key = str(row.get(children.key))
        else:
            try:
                key = str(
                    form_class.base_fields[children.key].clean(data[children.key])
                )
            except ValidationError as error:
                raise RowError(
                    f"{where}.{children.key}: {error.messages[0]}"
                ) from error
        if key in wanted:
            raise RowError(f"{where}: {children.key} {key!r} is repeated")
        wanted.add(key)
        instance = existing.get(key) or children.model(**{children.parent: parent})
        child_form = form_class(data, instance=instance)
        if not child_form.is_valid():
            raise RowError(_errors(child_form, f"{where}."))
        child_forms.append(child_form)
    # Only what the loader itself wrote and the fixture no longer has is removed.
    stale = [
        child
        for key, child in existing.items()
        if key in recorded and key in current and key not in wanted
    ]
    return children, child_forms, stale


def _digest(row):
    return hashlib.sha256(
        json.dumps(row, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _without_control_characters(value):
    """The fixture value with its texts cleaned as every save cleans them
    (``core.text``), before the admin's validation sees them: a stray control
    character in a fixture is removed, not a reason to refuse the file."""
    if isinstance(value, str):
        return clean_text(value, multiline=True)
    if isinstance(value, list):
        return [_without_control_characters(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_control_characters(item) for key, item in value.items()}
    return value


def read_reference(directory):
    """The reference files in load order, each as ``(name, {section: rows})``.

    A file is loaded after those it may refer to: files are ordered by the last
    section they hold (taxonomies before meetings before practices before action
    points and lessons), then by name.
    """
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise CommandError(f"No reference files in {directory}")
    loaded = []
    for path in files:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{path.name}: {error}") from error
        if not isinstance(content, dict) or not all(
            isinstance(rows, list) for rows in content.values()
        ):
            raise CommandError(f"{path.name}: not an object of lists by section")
        unknown = set(content) - set(SECTION_NAMES)
        if unknown:
            raise CommandError(f"{path.name}: unknown sections {sorted(unknown)}")
        loaded.append((path.name, content))
    return sorted(
        loaded,
        key=lambda item: (
            max((SECTION_NAMES.index(name) for name in item[1]), default=-1),
            item[0],
        ),
    )


class Command(BaseCommand):
    help = (
        "Load the reference content from fixtures/reference/: create what is missing, "
        "update what nobody edited since it was loaded, report the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            default=str(settings.BASE_DIR / "fixtures" / "reference"),
            help="Folder of reference JSON files.",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help=(
                "Also replace rows edited since they were loaded (their status, and "
                "partners, tags, sources and links editors added, are kept)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what a load would do, and write nothing.",
        )

    def handle(self, *args, directory, overwrite, dry_run, verbosity, **options):
        self.overwrite, self.dry_run, self.verbosity = overwrite, dry_run, verbosity
        files = read_reference(directory)
        self.counts = dict.fromkeys(
            ["created", "updated", "overwritten", "skipped", "unchanged"], 0
        )
        self.created = set()  # (model label, key) of the rows made by this run
        # A row in several files (organisations) is kept up to date from the last
        # file loaded; an earlier one only creates it when missing, for its links.
        self.owner = {
            (section.name, str(row.get(section.key))): name
            for name, content in files
            for section in SECTIONS
            for row in content.get(section.name, [])
            if isinstance(row, dict)
        }
        failed = []
        # Each file commits on its own; a dry run rolls every one of them back.
        with transaction.atomic() if dry_run else nullcontext():
            for name, content in files:
                if not self.load_file(name, content):
                    failed.append(name)
            # Editors can place a practice in any country, not only the reference's.
            with transaction.atomic(), reversion.create_revision(), refreshed_once():
                reversion.set_comment("Countries of the UN M49 table.")
                added = add_missing_countries()
            if added and verbosity:
                self.stdout.write(f"Countries: {added} added from the UN M49 table.")
            if dry_run:
                transaction.set_rollback(True)
        if not dry_run:
            refresh_search_vectors()
        self.report()
        if failed:
            raise CommandError(
                f"{len(failed)} file(s) not loaded, see above: {', '.join(failed)}"
            )

    def load_file(self, name, content):
        """Load one file in a transaction of its own; False if a row was refused."""
        before, lines, keys = dict(self.counts), [], set()
        created = set(self.created)
        try:
            # One revision a file: every row it saves is kept as a version,
            # restorable in the admin. One new content version a file too, and one
            # refresh of the search of the practices it changed.
            with transaction.atomic(), reversion.create_revision(), refreshed_once():
                reversion.set_comment(f"Loaded from the reference content ({name}).")
                for section in SECTIONS:
                    for index, row in enumerate(content.get(section.name, [])):
                        self.load_row(name, section, index, row, lines, keys)
        except RowError as error:
            self.counts, self.created = before, created
            self.stderr.write(f"{name}: {error} (nothing from {name} was loaded)")
            return False
        if self.verbosity:
            for line in lines:
                self.stdout.write(line)
        return True

    def load_row(self, filename, section, index, row, lines, keys):
        if not isinstance(row, dict):
            raise RowError(f"{section.name}[{index}]: not an object")
        row = _without_control_characters(row)
        raw_key = row.get(section.key)
        where = f"{section.name} {str(raw_key)[:60]!r}"
        try:
            key = self._clean_key(section, raw_key)
        except ValidationError as error:
            raise RowError(f"{where}: {section.key}: {error.messages[0]}") from error
        where = f"{section.label} {key[:60]!r}"
        if (section.label, key) in keys:
            raise RowError(f"{where}: repeated in this file")
        keys.add((section.label, key))
        try:
            self._load(filename, section, index, row, key, where, lines)
        except RowError as error:
            raise RowError(f"{where}: {error}") from error
        except DatabaseError as error:  # what no form checks; the file rolls back
            raise RowError(f"{where}: the database refused it: {error}") from error

    def _clean_key(self, section, raw_key):
        form_class = _form_class(section.model, section.form_fields)
        return str(form_class.base_fields[section.key].clean(raw_key))

    def _load(self, filename, section, index, row, key, where, lines):
        model = section.model
        owner = self.owner.get((section.name, str(row.get(section.key))), filename)
        if owner != filename:
            existing = model._default_manager.filter(**{section.key: key}).first()
            if existing is not None or LoadedRow.objects.filter(
                model=section.label, key=key
            ):
                # Its copy must still be valid, or its file fails.
                plan(section, row, index, existing, {})
                if self.verbosity >= 2:
                    lines.append(f"  {where}: loaded from {owner}, not {filename}")
                return
        record = LoadedRow.objects.filter(model=section.label, key=key).first()
        if record is not None:
            obj = model._default_manager.filter(pk=record.object_id).first()
        else:
            obj = model._default_manager.filter(**{section.key: key}).first()
        recorded = record.values if record else {}
        digest = _digest({"row": row, "index": index})

        if obj is None:
            if record is not None and not self.overwrite:
                plan(section, row, index, None, {})
                self.skip(lines, where, "deleted since it was loaded, not made again")
                return
            self.write(section, key, plan(section, row, index, None, {}), digest)
            self.created.add((section.label, key))
            self.tell(lines, "created", where, self.verbosity >= 2 or self.dry_run)
            return

        current = snapshot(section, obj)
        if record is not None:
            edited = edited_fields(current, recorded)
            if not edited and record.fixture_digest == digest:
                self.counts["unchanged"] += 1
                return
            prepared = plan(section, row, index, obj, recorded)
            if not edited:
                self.write(section, key, prepared, digest)
                if (section.label, key) not in self.created:
                    self.tell(lines, "updated", where)
            elif self.overwrite:
                self.write(section, key, prepared, digest)
                self.tell(lines, "overwritten", where, f"edited: {', '.join(edited)}")
            else:
                self.skip(
                    lines, where, f"edited since it was loaded: {', '.join(edited)}"
                )
            return

        # A row the loader has no record of (made by an editor, or loaded before the
        # loader kept records): adopted if the fixture would change nothing in it.
        prepared = plan(section, row, index, obj, {})
        with transaction.atomic():
            after = snapshot(section, prepared.save())
            differs = edited_fields(after, current)
            if differs and not self.overwrite:
                transaction.set_rollback(True)
        if not differs:
            self._record(section, key, obj.pk, after, digest)
            self.counts["unchanged"] += 1
        elif self.overwrite:
            self._record(section, key, obj.pk, after, digest)
            self.tell(
                lines, "overwritten", where, f"not loaded before: {', '.join(differs)}"
            )
        else:
            self.skip(
                lines,
                where,
                f"not loaded by load_reference before and differs from the fixture: "
                f"{', '.join(differs)}",
            )

    def write(self, section, key, prepared, digest):
        obj = prepared.save()
        self._record(section, key, obj.pk, snapshot(section, obj), digest)

    def _record(self, section, key, pk, values, digest):
        LoadedRow.objects.update_or_create(
            model=section.label,
            key=key,
            defaults={"object_id": pk, "values": values, "fixture_digest": digest},
        )

    def tell(self, lines, what, where, detail=True):
        self.counts[what] += 1
        if detail:
            suffix = f" ({detail})" if isinstance(detail, str) else ""
            lines.append(f"{self._prefix}{what} {where}{suffix}")

    def skip(self, lines, where, why):
        self.counts["skipped"] += 1
        lines.append(f"{self._prefix}skipped {where}: {why}; --overwrite replaces it")

    @property
    def _prefix(self):
        return "[dry run] " if self.dry_run else ""

    def report(self):
        if not self.verbosity:
            return
        self.stdout.write(
            self._prefix
            + "Rows: "
            + ", ".join(f"{count} {what}" for what, count in self.counts.items())
            + ("; nothing was written" if self.dry_run else "")
        )
        counts = {
            "sectors": Sector.objects.count(),
            "practices": Practice.objects.count(),
            "organisations": Organisation.objects.count(),
            "meetings": Meeting.objects.count(),
            "insights": Insight.objects.count(),
            "action points": ActionPoint.objects.count(),
            "lessons learned": LessonLearned.objects.count(),
            "recommended strategies": Strategy.objects.count(),
        }
        self.stdout.write(
            (
                "Reference content as it stands: "
                if self.dry_run
                else "Reference content loaded: "
            )
            + ", ".join(f"{count} {name}" for name, count in counts.items())
        )
