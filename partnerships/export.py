"""The exports of action points and meetings: their columns and the rows they read."""

from django.db.models import Prefetch

from core.listing.csv import Column
from core.listing.views import Export
from partnerships.models import MeetingSource


def columns(request):
    """The documented columns (README, "CSV columns"), in order."""
    return [
        Column("action", lambda a: a.text),
        Column("audience", lambda a: a.audience.name),
        Column("sector", lambda a: a.sector.name if a.sector else "Cross-sector"),
        Column("meeting", lambda a: a.meeting.title if a.meeting else ""),
        Column(
            "practices",
            lambda a: [practice.slug for practice in a.practices.all()],
            list[str],
        ),
        Column(
            "practice_titles",
            lambda a: [practice.title for practice in a.practices.all()],
            list[str],
        ),
        Column("note", lambda a: a.derived_note),
        Column("source_url", lambda a: a.source_url),
    ]


def rows(queryset):
    return (
        queryset.select_related("audience", "sector", "meeting")
        .with_published_practices()
        .iterator(chunk_size=1000)
    )


ACTION_POINT_EXPORT = Export(stem="action-points", columns=columns, rows=rows)


def meeting_columns(request):
    """The documented columns (README, "Export columns"), in order."""

    def absolute(meeting):
        return request.build_absolute_uri(meeting.get_absolute_url())

    return [
        Column("title", lambda m: m.title),
        Column("url", absolute),
        Column("kind", lambda m: m.get_kind_display()),
        Column("region", lambda m: m.region.name if m.region else ""),
        Column("area", lambda m: m.region_detail),
        # As far as it is known: "2020-12-09", "2020-08" or "2020".
        Column("start_date", lambda m: m.start_date_known, str | None),
        Column("end_date", lambda m: m.end_date and m.end_date.isoformat(), str | None),
        Column("date_note", lambda m: m.date_note),
        Column("outcomes_published", lambda m: m.outcomes_published, bool),
        Column("format", lambda m: m.get_format_display()),
        Column("host_office", lambda m: m.host_office),
        Column("participants", lambda m: m.participants_count, int | None),
        Column("summary", lambda m: m.summary),
        Column(
            "sources", lambda m: [source.url for source in m.sources.all()], list[str]
        ),
    ]


def _iso(day):
    return day.isoformat() if day else None


def meeting_rows(queryset):
    return (
        queryset.select_related("region")
        .prefetch_related(
            Prefetch("sources", queryset=MeetingSource.objects.order_by("order", "pk"))
        )
        .iterator(chunk_size=500)
    )


MEETING_EXPORT = Export(stem="meetings", columns=meeting_columns, rows=meeting_rows)


def strategy_columns(request):
    """The documented columns (README, "Export columns"), in order."""

    def practice_urls(strategy):
        return [
            request.build_absolute_uri(practice.get_absolute_url())
            for practice in strategy.practices.all()
        ]

    return [
        Column("strategy", lambda s: s.text),
        Column("sector", lambda s: s.sector.name if s.sector else "Across sectors"),
        Column(
            "audiences",
            lambda s: [audience.name for audience in s.audiences.all()],
            list[str],
        ),
        Column("meeting", lambda s: s.meeting.title if s.meeting else ""),
        Column(
            "practices",
            lambda s: [practice.title for practice in s.practices.all()],
            list[str],
        ),
        Column("practice_urls", practice_urls, list[str]),
        Column("source_url", lambda s: s.source_url),
    ]


def strategy_rows(queryset):
    # What a strategy's card shows is what its row holds: links to practices only
    # while they are public.
    return queryset.for_display().iterator(chunk_size=500)


STRATEGY_EXPORT = Export(
    stem="strategies", columns=strategy_columns, rows=strategy_rows
)
