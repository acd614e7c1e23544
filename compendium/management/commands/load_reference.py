"""Load the reference content in fixtures/reference/*.json, as often as you like.

Every row is matched on its natural key (slug, ISO code, or the text of an action
point, lesson or insight within its parent) and updated in place, so loading twice
changes nothing and duplicates nothing. Django's own ``loaddata`` is not used because
django-taggit's tagged items have no usable natural key, and because the derived data
(regions implied by countries, PostgreSQL search vectors) must be rebuilt after a load.

The file format is documented in fixtures/README.md.
"""

import json
from pathlib import Path

import reversion
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.listing.cache import bump_content_version
from core.models import Status
from partnerships.models import ActionPoint, Insight, Meeting, MeetingSource
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
from practices.search import refresh_search_vectors

TAXONOMIES = {
    "sectors": Sector,
    "stages": Stage,
    "audiences": Audience,
    "kinds": PartnershipKind,
}
SECTIONS = [
    "sectors",
    "stages",
    "audiences",
    "kinds",
    "regions",
    "countries",
    "organisations",
    "meetings",
    "practices",
    "action_points",
    "lessons",
]


def read_reference(directory):
    """Merge every JSON file in ``directory`` into one dict of lists, by section."""
    merged = {section: [] for section in SECTIONS}
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise CommandError(f"No reference files in {directory}")
    for path in files:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise CommandError(f"{path.name}: {error}") from error
        unknown = set(content) - set(SECTIONS)
        if unknown:
            raise CommandError(f"{path.name}: unknown sections {sorted(unknown)}")
        for section, rows in content.items():
            merged[section].extend(rows)
    return merged


def _by(model, field, values, what):
    found = {
        str(getattr(obj, field)): obj
        for obj in model.objects.filter(**{f"{field}__in": values})
    }
    missing = [value for value in values if value not in found]
    if missing:
        raise CommandError(f"{what}: unknown {model._meta.verbose_name} {missing}")
    return [found[value] for value in values]


def _one(model, field, value, what):
    if value in (None, ""):
        return None
    return _by(model, field, [value], what)[0]


def _sources(model, parent_field, parent, rows):
    for order, row in enumerate(rows):
        model.objects.update_or_create(
            **{parent_field: parent},
            url=row["url"],
            defaults={
                "title": row["title"],
                "publisher": row.get("publisher", ""),
                "published_on": row.get("published_on") or None,
                "order": order,
            },
        )


class Command(BaseCommand):
    help = "Load (or reload) the reference content from fixtures/reference/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            default=str(settings.BASE_DIR / "fixtures" / "reference"),
            help="Folder of reference JSON files.",
        )

    @transaction.atomic
    @reversion.create_revision()
    def handle(self, *args, directory, **options):
        # Every row the load saves is kept as a version, restorable in the admin.
        reversion.set_comment("Loaded from the reference content.")
        data = read_reference(directory)
        for section, model in TAXONOMIES.items():
            for row in data[section]:
                fields = {k: v for k, v in row.items() if k != "slug"}
                model.objects.update_or_create(slug=row["slug"], defaults=fields)
        for row in data["regions"]:
            Region.objects.update_or_create(
                slug=row["slug"], defaults={"name": row["name"], "order": row["order"]}
            )
        for row in data["regions"]:
            Region.objects.filter(slug=row["slug"]).update(
                parent=_one(Region, "slug", row.get("parent"), row["slug"])
            )
        # QuerySet.update() sends no signal: public region facets may have changed.
        bump_content_version()
        for row in data["countries"]:
            Country.objects.update_or_create(
                code=row["code"],
                defaults={"region": _one(Region, "slug", row["region"], row["code"])},
            )
        add_missing_countries()
        for row in data["organisations"]:
            Organisation.objects.update_or_create(
                slug=row["slug"],
                defaults={
                    "name": row["name"],
                    "type": row["type"],
                    "country": _one(Country, "code", row.get("country"), row["slug"]),
                    "website": row.get("website", ""),
                    "description": row.get("description", ""),
                },
            )
        for row in data["meetings"]:
            self.load_meeting(row)
        for row in data["practices"]:
            self.load_practice(row)
        for order, row in enumerate(data["action_points"]):
            ActionPoint.objects.update_or_create(
                text=row["text"],
                defaults={
                    "audience": _one(
                        Audience, "slug", row["audience"], row["text"][:40]
                    ),
                    "sector": _one(Sector, "slug", row.get("sector"), row["text"][:40]),
                    "meeting": _one(
                        Meeting, "slug", row.get("meeting"), row["text"][:40]
                    ),
                    "derived_from": row.get("derived_from", ""),
                    "source_url": row.get("source_url", ""),
                    "order": row.get("order", order),
                    "status": Status.PUBLISHED,
                },
            )
        for order, row in enumerate(data["lessons"]):
            lesson, _ = LessonLearned.objects.update_or_create(
                text=row["text"],
                defaults={
                    "sector": _one(Sector, "slug", row.get("sector"), row["text"][:40]),
                    "practice": _one(
                        Practice, "slug", row.get("practice"), row["text"][:40]
                    ),
                    "source_url": row.get("source_url", ""),
                    "order": row.get("order", order),
                    "status": Status.PUBLISHED,
                },
            )
            lesson.meetings.set(
                _by(Meeting, "slug", row.get("meetings", []), row["text"][:40])
            )
        refresh_search_vectors()
        counts = {
            "sectors": Sector.objects.count(),
            "practices": Practice.objects.count(),
            "organisations": Organisation.objects.count(),
            "meetings": Meeting.objects.count(),
            "insights": Insight.objects.count(),
            "action points": ActionPoint.objects.count(),
            "lessons learned": LessonLearned.objects.count(),
        }
        self.stdout.write(
            "Reference content loaded: "
            + ", ".join(f"{count} {name}" for name, count in counts.items())
        )

    def load_practice(self, row):
        slug = row["slug"]
        practice, _ = Practice.objects.update_or_create(
            slug=slug,
            defaults={
                "title": row["title"],
                "summary": row["summary"],
                "description": row.get("description", ""),
                "kind": _one(PartnershipKind, "slug", row["kind"], slug),
                "start_year": row.get("start_year"),
                "end_year": row.get("end_year"),
                "outcomes": row.get("outcomes", ""),
                "provenance": row.get("provenance", "documented_elsewhere"),
                "provenance_note": row.get("provenance_note", ""),
                "status": Status.PUBLISHED,
            },
        )
        practice.sectors.set(_by(Sector, "slug", row["sectors"], slug))
        practice.countries.set(_by(Country, "code", row.get("countries", []), slug))
        practice.regions.set(_by(Region, "slug", row.get("regions", []), slug))
        practice.stages.set(_by(Stage, "slug", row.get("stages", []), slug))
        practice.audiences.set(_by(Audience, "slug", row.get("audiences", []), slug))
        practice.tags.set(row.get("tags", []), clear=True)
        practice.meetings.set(_by(Meeting, "slug", row.get("meetings", []), slug))
        practice.sync_regions()
        keep = []
        for order, partner in enumerate(row.get("partners", [])):
            organisation = _one(Organisation, "slug", partner["organisation"], slug)
            link, _ = PracticePartner.objects.update_or_create(
                practice=practice,
                organisation=organisation,
                defaults={"role": partner.get("role", "partner"), "order": order},
            )
            keep.append(link.pk)
        practice.partners.exclude(pk__in=keep).delete()
        _sources(PracticeSource, "practice", practice, row.get("sources", []))

    def load_meeting(self, row):
        slug = row["slug"]
        fields = {
            key: row.get(key, "")
            for key in [
                "title",
                "short_title",
                "kind",
                "region_detail",
                "date_note",
                "format",
                "host_office",
                "participants_note",
                "summary",
                "description",
                "funder",
            ]
        }
        meeting, _ = Meeting.objects.update_or_create(
            slug=slug,
            defaults={
                **fields,
                "region": _one(Region, "slug", row.get("region"), slug),
                "start_date": row.get("start_date") or None,
                "end_date": row.get("end_date") or None,
                "participants_count": row.get("participants_count"),
                "status": Status.PUBLISHED,
            },
        )
        meeting.organisations.set(
            _by(Organisation, "slug", row.get("organisations", []), slug)
        )
        _sources(MeetingSource, "meeting", meeting, row.get("sources", []))
        for order, insight in enumerate(row.get("insights", [])):
            Insight.objects.update_or_create(
                meeting=meeting,
                text=insight["text"],
                defaults={
                    "sector": _one(Sector, "slug", insight.get("sector"), slug),
                    "order": order,
                },
            )
