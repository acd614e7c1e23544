"""The action points export: its columns and the rows they read."""

from core.listing.csv import Column
from core.listing.views import Export


def columns(request):
    """The documented columns (README, "CSV columns"), in order."""
    return [
        Column("action", lambda a: a.text),
        Column("audience", lambda a: a.audience.name),
        Column("sector", lambda a: a.sector.name if a.sector else "Cross-sector"),
        Column("meeting", lambda a: a.meeting.title if a.meeting else ""),
        Column("derived_from", lambda a: a.derived_from),
        Column("source_url", lambda a: a.source_url),
    ]


def rows(queryset):
    return queryset.select_related("audience", "sector", "meeting").iterator(
        chunk_size=1000
    )


ACTION_POINT_EXPORT = Export(stem="action-points", columns=columns, rows=rows)
