"""The practices export: its columns and the rows they read, for CSV, XLSX and JSON.

Rows are read in chunks: one query for a chunk of practices (the filtered, ordered
list itself, through a server-side cursor on PostgreSQL) and one per related list
(sectors, countries, partners ...) for the whole chunk, as tuples rather than model
instances. Memory stays flat for any number of practices and the time stays close to
the database's own COPY of the same columns (see bench/README.md).
"""

from collections import defaultdict
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from taggit.models import TaggedItem

from core.citation import Citation
from core.listing.csv import Column, Joined
from core.listing.views import Export
from core.lookups import among
from core.models import Status
from practices.models import (
    Maturity,
    OrganisationType,
    Practice,
    PracticePartner,
    PracticeSource,
    Provenance,
)

CHUNK_SIZE = 2000
BASE_FIELDS = (
    "pk",
    "title",
    "slug",
    "kind__name",
    "start_year",
    "end_year",
    "summary",
    "outcomes",
    "provenance",
    "provenance_source_url",
    "maturity",
    "maturity_source_url",
)


# Each related list is read twice over: per chunk of practices for the Python rows
# (``fetch``), and grouped for the whole list for PostgreSQL's COPY (``sql``). Both sit
# here, side by side, with the same order.


def _through(relation, target, *ordering):
    """(practice id, name) pairs of one many-to-many relation, in display order."""
    through = getattr(Practice, relation).through
    order = [f"{target}__{field}" for field in ordering]

    def fetch(ids):
        return (
            through.objects.filter(among("practice_id", ids))
            .order_by(*order, "pk")
            .values_list("practice_id", f"{target}__name")
        )

    def sql():
        return Joined(
            through.objects.all(), "practice_id", f"{target}__name", (*order, "pk")
        )

    return fetch, sql


def _tags(ids):
    content_type = ContentType.objects.get_for_model(Practice)
    return (
        TaggedItem.objects.filter(among("object_id", ids), content_type=content_type)
        .order_by("tag__name")
        .values_list("object_id", "tag__name")
    )


def _tags_sql():
    # By name, not by a ContentType lookup: the columns are declared (README checks,
    # the API schema) where no database may be reached.
    return Joined(
        TaggedItem.objects.filter(
            content_type__app_label=Practice._meta.app_label,
            content_type__model=Practice._meta.model_name,
        ),
        "object_id",
        "tag__name",
        ("tag__name",),
    )


PARTNER_ROLES = {value: label.lower() for value, label in PracticePartner.Role.choices}


def _partners(ids):
    types = dict(OrganisationType.choices)
    rows = (
        PracticePartner.objects.filter(among("practice_id", ids))
        .order_by("order", "pk")
        .values_list("practice_id", "organisation__name", "organisation__type", "role")
    )
    for practice_id, name, org_type, role in rows:
        yield (
            practice_id,
            f"{name} ({types.get(org_type, org_type)}, {PARTNER_ROLES[role]})",
        )


def _label(field, labels, default):
    """A choice's label in SQL: ``labels.get(value, default)`` (as text: a label is
    a lazy translation, in English while an export runs)."""
    return Case(
        *(
            When(**{field: value}, then=Value(str(label)))
            for value, label in labels.items()
        ),
        default=default,
        output_field=TextField(),
    )


def _partners_sql():
    return Joined(
        PracticePartner.objects.all(),
        "practice_id",
        Concat(
            F("organisation__name"),
            Value(" ("),
            _label(
                "organisation__type",
                dict(OrganisationType.choices),
                F("organisation__type"),
            ),
            Value(", "),
            _label("role", PARTNER_ROLES, F("role")),
            Value(")"),
            output_field=TextField(),
        ),
        ("order", "pk"),
    )


def _sources(ids):
    return (
        PracticeSource.objects.filter(among("practice_id", ids))
        .order_by("order", "pk")
        .values_list("practice_id", "url")
    )


def _sources_sql():
    return Joined(PracticeSource.objects.all(), "practice_id", "url", ("order", "pk"))


def _provenance_meetings():
    """The published meetings a practice's provenance names: those of the relation
    its kind uses (``Provenance.meeting_relation``), no other.

    Meetings belong to an app that depends on this one: they are reached through the
    relations' own tables and gated by their status (a meeting hangs off nothing)."""
    order = ("meeting__start_date", "meeting__title", "pk")

    def rows(kind):
        through = getattr(Practice, kind.meeting_relation).through
        return through.objects.filter(
            practice__provenance=kind, meeting__status=Status.PUBLISHED
        )

    kinds = [kind for kind in Provenance if kind.needs_meeting]

    def fetch(ids):
        for kind in kinds:
            yield from (
                rows(kind)
                .filter(among("practice_id", ids))
                .order_by(*order)
                .values_list("practice_id", "meeting__title")
            )

    def sql():
        first, *others = (rows(kind) for kind in kinds)
        return Joined(first, "practice_id", "meeting__title", order, also=others)

    return fetch, sql


#: name: (fetch(ids) -> (practice id, text) pairs, sql() -> the joined texts).
RELATED = {
    "sectors": _through("sectors", "sector", "order", "name"),
    "countries": _through("countries", "country", "name"),
    "regions": _through("regions", "region", "order", "name"),
    "partners": (_partners, _partners_sql),
    "audiences": _through("audiences", "audience", "order", "name"),
    "stages": _through("stages", "stage", "order", "name"),
    "tags": (_tags, _tags_sql),
    "sources": (_sources, _sources_sql),
    "provenance_meetings": _provenance_meetings(),
}


def export_rows(queryset, chunk_size=CHUNK_SIZE):
    """Yield one dict per practice of ``queryset``, in its order."""
    provenance = dict(Provenance.choices)
    maturity = dict(Maturity.choices)
    base = queryset.prefetch_related(None).values_list(*BASE_FIELDS)
    rows = base.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        ids = [row[0] for row in chunk]
        related = {}
        for name, (fetch, _sql) in RELATED.items():
            grouped = defaultdict(list)
            for practice_id, text in fetch(ids):
                grouped[practice_id].append(text)
            related[name] = grouped
        for row in chunk:
            values = dict(zip(BASE_FIELDS, row, strict=True))
            values["provenance"] = provenance.get(values["provenance"], "")
            values["maturity"] = maturity.get(values["maturity"], "")
            for name, grouped in related.items():
                values[name] = grouped.get(values["pk"], [])
            yield values


def columns(request):
    """The documented columns (README, "CSV columns"), in order."""
    detail_prefix = request.build_absolute_uri(reverse("practices:detail", args=["-"]))
    detail_prefix = detail_prefix[: -len("-/")]

    def field(name):
        return lambda row: row[name]

    def column(name, type=str, *, key=None):
        """A column read from the row's ``key`` (``name``), in SQL the same field."""
        key = key or name
        sql = RELATED[key][1]() if key in RELATED else F(key)
        return Column(name, field(key), type, sql=sql)

    return [
        column("title"),
        Column(
            "url",
            lambda row: f"{detail_prefix}{row['slug']}/",
            sql=Concat(
                Value(detail_prefix), F("slug"), Value("/"), output_field=TextField()
            ),
        ),
        column("sectors", list[str]),
        column("countries", list[str]),
        column("regions", list[str]),
        column("kind", key="kind__name"),
        column("partners", list[str]),
        column("audiences", list[str]),
        column("stages", list[str]),
        column("tags", list[str]),
        column("start_year", int | None),
        column("end_year", int | None),
        column("summary"),
        column("outcomes"),
        Column(
            "provenance",
            field("provenance"),
            sql=_label("provenance", dict(Provenance.choices), Value("")),
        ),
        column("provenance_meetings", list[str]),
        column("provenance_source", key="provenance_source_url"),
        Column(
            "maturity",
            field("maturity"),
            sql=_label("maturity", dict(Maturity.choices), Value("")),
        ),
        column("maturity_source", key="maturity_source_url"),
        column("sources", list[str]),
    ]


def citation(url, practice, tags, accessed=None):
    """How a practice is cited: as the web page at ``url``, read on ``accessed``."""
    return Citation(
        key=practice.slug,
        title=practice.title,
        url=url,
        updated=timezone.localdate(practice.updated_at),
        accessed=accessed or timezone.localdate(),
        abstract=practice.summary,
        keywords=tuple(tags),
    )


def citations(request, queryset, chunk_size=CHUNK_SIZE):
    """Yield one Citation per practice of ``queryset``, in its order, read in
    chunks like the export rows."""
    accessed = timezone.localdate()
    rows = (
        queryset.prefetch_related(None)
        .only("pk", "title", "slug", "summary", "updated_at")
        .iterator(chunk_size=chunk_size)
    )
    while chunk := list(islice(rows, chunk_size)):
        tags = defaultdict(list)
        for practice_id, name in _tags([practice.pk for practice in chunk]):
            tags[practice_id].append(name)
        for practice in chunk:
            url = request.build_absolute_uri(practice.get_absolute_url())
            yield citation(url, practice, tags[practice.pk], accessed)


PRACTICE_EXPORT = Export(
    stem="practices", columns=columns, rows=export_rows, cite=citations
)


def organisation_columns(request):
    """The documented columns (README, "Export columns"), in order."""
    detail_prefix = request.build_absolute_uri(
        reverse("practices:organisation_detail", args=["-"])
    )[: -len("-/")]
    types = dict(OrganisationType.choices)
    return [
        Column("name", lambda row: row["name"]),
        Column("url", lambda row: f"{detail_prefix}{row['slug']}/"),
        Column("type", lambda row: types.get(row["type"], row["type"])),
        Column("country", lambda row: row["country__name"], str | None),
        Column("website", lambda row: row["website"]),
        Column("description", lambda row: row["description"]),
        Column("practices", lambda row: row["practices"], int),
        Column("sectors", lambda row: row["sectors"], list[str]),
    ]


ORGANISATION_FIELDS = (
    "pk",
    "name",
    "slug",
    "type",
    "country__name",
    "website",
    "description",
)


def organisation_rows(queryset, chunk_size=CHUNK_SIZE):
    """One dict per organisation of ``queryset``, in its order, with the number of
    published practices it takes part in and their sectors."""
    rows = (
        queryset.prefetch_related(None)
        .values_list(*ORGANISATION_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    while chunk := list(islice(rows, chunk_size)):
        ids = [row[0] for row in chunk]
        roles = PracticePartner.objects.in_published_practices().filter(
            among("organisation_id", ids)
        )
        practices = roles.practices_per_organisation()
        sectors = defaultdict(list)
        for organisation_id, sector in (
            roles.filter(practice__sectors__isnull=False)
            .values_list("organisation_id", "practice__sectors__name")
            .order_by("practice__sectors__order", "practice__sectors__name")
        ):
            if sector not in sectors[organisation_id]:
                sectors[organisation_id].append(sector)
        for row in chunk:
            values = dict(zip(ORGANISATION_FIELDS, row, strict=True))
            values["practices"] = practices.get(values["pk"], 0)
            values["sectors"] = sectors.get(values["pk"], [])
            yield values


ORGANISATION_EXPORT = Export(
    stem="organisations", columns=organisation_columns, rows=organisation_rows
)


def lesson_columns(request):
    """The documented columns (README, "Export columns"), in order."""

    def practice_urls(lesson):
        return [
            request.build_absolute_uri(practice.get_absolute_url())
            for practice in lesson.practices.all()
        ]

    return [
        Column("lesson", lambda lesson: lesson.text),
        Column("sector", lambda lesson: lesson.sector.name if lesson.sector else ""),
        Column(
            "practices",
            lambda lesson: [practice.title for practice in lesson.practices.all()],
            list[str],
        ),
        Column("practice_urls", practice_urls, list[str]),
        Column("source_url", lambda lesson: lesson.source_url),
    ]


def lesson_rows(queryset):
    # A public lesson's practices are all published (its gate), so none is left out.
    return (
        queryset.select_related("sector")
        .prefetch_related("practices")
        .iterator(chunk_size=1000)
    )


LESSON_EXPORT = Export(stem="lessons", columns=lesson_columns, rows=lesson_rows)
