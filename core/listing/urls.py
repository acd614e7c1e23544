"""The routes of a list: its page and its exports, beside each other."""

from django.urls import path

#: The exports every list offers, each at ``<list>/export.<renderer>``.
EXPORT_RENDERERS = ("csv", "xlsx")
#: The citation files a list whose rows can be cited offers, at
#: ``<list>/export.<renderer>`` too (``cite_routes``).
CITATION_RENDERERS = ("bib", "ris")
#: The newest rows of a list whose view has a ``feed``, at ``<list>/feed.atom``.
FEED_RENDERER = "atom"


def list_routes(route, view, name, export_name):
    """``route`` for the HTML list, ``route + "export.csv"`` named ``export_name`` and
    ``route + "export.xlsx"`` named ``export_name + "_xlsx"``: one view, three
    renderers; and for a view with a ``feed``, ``route + "feed.atom"`` named
    ``export_name + "_atom"``."""
    feed = (
        [
            path(
                f"{route}feed.atom",
                view.as_view(renderer=FEED_RENDERER),
                name=f"{export_name}_{FEED_RENDERER}",
            )
        ]
        if view.feed
        else []
    )
    return [
        *feed,
        path(route, view.as_view(), name=name),
        path(f"{route}export.csv", view.as_view(renderer="csv"), name=export_name),
        path(
            f"{route}export.xlsx",
            view.as_view(renderer="xlsx"),
            name=f"{export_name}_xlsx",
        ),
    ]


def cite_routes(route, view, export_name):
    """``route + "export.bib"`` and ``route + "export.ris"``, named ``export_name +
    "_bib"`` and ``"_ris"``: the list's rows as citations, for a list whose
    ``Export`` has ``cite``."""
    return [
        path(
            f"{route}export.{renderer}",
            view.as_view(renderer=renderer),
            name=f"{export_name}_{renderer}",
        )
        for renderer in CITATION_RENDERERS
    ]
