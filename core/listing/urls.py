"""The routes of a list: its page and its exports, beside each other."""

from django.urls import path

#: The exports every list offers, each at ``<list>/export.<renderer>``.
EXPORT_RENDERERS = ("csv", "xlsx")


def list_routes(route, view, name, export_name):
    """``route`` for the HTML list, ``route + "export.csv"`` named ``export_name`` and
    ``route + "export.xlsx"`` named ``export_name + "_xlsx"``: one view, three
    renderers."""
    return [
        path(route, view.as_view(), name=name),
        path(f"{route}export.csv", view.as_view(renderer="csv"), name=export_name),
        path(
            f"{route}export.xlsx",
            view.as_view(renderer="xlsx"),
            name=f"{export_name}_xlsx",
        ),
    ]
