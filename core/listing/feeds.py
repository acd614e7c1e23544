"""A list as an Atom feed: the newest of the rows the same query lists.

Another renderer of the list (``ListingView.render_atom``), so a feed reader
subscribed to ``/practices/feed.atom?sector=financial`` gets exactly the rows
``/practices/?sector=financial`` lists, newest first.
"""

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

#: How many of the newest rows a feed holds: a reader keeps what it has seen.
FEED_SIZE = 50


@dataclass(frozen=True)
class Feed:
    """What a list's feed says about itself and its rows.

    ``title``: the feed's name ("New practices"); ``description``: the attribute of
    a row that is its entry's summary; ``date_field``: when a row became public,
    the entries' order and their ``published`` date.
    """

    title: str
    description: str = "summary"
    date_field: str = "published_at"

    def newest(self, queryset):
        """The FEED_SIZE rows of ``queryset`` that became public last."""
        return queryset.order_by(f"-{self.date_field}", "-pk")[:FEED_SIZE]


def atom_response(request, feed, rows, *, qualifiers, list_url, messages):
    """An Atom 1.0 document of ``rows``, linked to the list page ``list_url``,
    titled ``feed.title`` and what the query chose ("New practices matching
    “bank”", from ``core.listing.chips.qualifiers``).

    ``messages`` (what the query string asked that was not used) are put into
    the feed's subtitle, so a reader that shows it says why the feed is wider
    than asked, as the list page does beside its filters.
    """
    absolute = request.build_absolute_uri
    notes = [message for values in messages.values() for message in values]
    document = Atom1Feed(
        title=f"{feed.title}{qualifiers}",
        link=absolute(list_url),
        description="",
        subtitle=" ".join(notes) if notes else None,
        feed_url=absolute(request.get_full_path()),
        language=getattr(request, "LANGUAGE_CODE", None),
        author_name=_("Compendium Portal"),
    )
    for row in rows:
        date = getattr(row, feed.date_field)
        updated = getattr(row, "updated_at", None) or date
        url = absolute(row.get_absolute_url())
        document.add_item(
            title=str(row),
            link=url,
            unique_id=url,
            # Atom's summary is HTML: the plain text, escaped.
            description=escape(getattr(row, feed.description, "") or ""),
            pubdate=date,
            updateddate=max(updated, date) if date else updated,
        )
    response = HttpResponse(content_type=f"{document.content_type}")
    document.write(response, "utf-8")
    return response
