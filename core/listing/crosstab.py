"""Cross tables of a list: how many rows each pair of two facets' values gives.

A cell's count is that of the list it links to, by construction: each column is the
list with the ``across`` parameter set to that column's value (and every other
parameter of the request kept), and the cells down it are the ``down`` facet's
counts over that list, which count exactly the rows the list gives once that value
of ``down`` is added. Facet counts leave out unpublished rows, so do the cells.

Every value of both vocabularies is a column or a row, counted or not: an empty
cell is the point (a gap). A parameter of the request that names values of an axis
narrows that axis to them instead of filtering.
"""

from dataclasses import dataclass, field

from django.http import QueryDict

from core.listing.csv import Column
from core.listing.filters import PRESENTATION_PARAMS
from core.listing.params import clean_params, query_string


@dataclass
class CrossTable:
    """A counted cross table, ready to display or export."""

    slug: str
    caption: str
    noun: tuple
    across_label: str
    down_label: str
    columns: list = field(default_factory=list)  # [{"value", "label"}]
    rows: list = field(default_factory=list)  # [{"value", "label", "depth", "cells"}]
    messages: dict = field(default_factory=dict)

    @property
    def gaps(self):
        return sum(1 for row in self.rows for cell in row["cells"] if not cell["count"])

    def export_columns(self):
        """The CSV's columns: the row's label, then one count per column."""
        return [
            Column(self.down_label, lambda row: row["label"]),
            *(
                Column(column["label"], lambda row, i=i: row["cells"][i]["count"], int)
                for i, column in enumerate(self.columns)
            ),
        ]

    def as_json(self, build_url):
        return {
            "table": self.slug,
            "caption": self.caption,
            "across": self.across_label,
            "down": self.down_label,
            "columns": self.columns,
            "rows": [
                {
                    "value": row["value"],
                    "label": row["label"],
                    "cells": [
                        {
                            "column": column["value"],
                            "count": cell["count"],
                            "url": build_url(cell["url"]),
                        }
                        for column, cell in zip(self.columns, row["cells"], strict=True)
                    ],
                }
                for row in self.rows
            ],
            "messages": self.messages,
        }


def _vocabulary(facet, chosen):
    """[(stored key, value, label, depth)] of every option of ``facet`` in its order
    (a tree's children under their parents), or only the ``chosen`` ones it knows."""
    options = facet.options(set(), set())
    parent_of = {option[0]: option[3] for option in options if len(option) > 3}
    if parent_of:
        options = _tree_order(options, parent_of)
    result = []
    for key, value, label, *_ in options:
        depth, up, seen = 0, parent_of.get(key), {key}
        while up in parent_of and up not in seen:
            seen.add(up)
            depth += 1
            up = parent_of[up]
        result.append((key, str(value), label, depth))
    # Values the FilterSet ignores (and reports) leave the axis whole, as the list.
    return [option for option in result if option[1] in chosen] or result


def _tree_order(options, parent_of):
    """Options with each one's children after it, roots in the given order."""
    keys = {option[0] for option in options}
    children, roots = {}, []
    for option in options:
        parent = parent_of.get(option[0])
        if parent in keys and parent != option[0]:
            children.setdefault(parent, []).append(option)
        else:
            roots.append(option)
    ordered, seen = [], set()

    def walk(nodes):
        for node in nodes:
            if node[0] not in seen:
                seen.add(node[0])
                ordered.append(node)
                walk(children.get(node[0], []))

    walk(roots)
    return ordered


def cross_table(
    filterset_class, data, *, across, down, slug, caption, noun, list_url, queryset
):
    """Count ``queryset`` (a list's ``published()`` rows) filtered by ``data`` for
    every pair of an ``across`` value (a column) and a ``down`` value (a row).

    ``data``: the request's query string; parameters the FilterSet does not know
    are dropped. Each cell links to ``list_url`` with the query it counts.
    """
    data = clean_params(data)
    known = QueryDict(mutable=True)
    for name in filterset_class.base_filters:
        if name not in PRESENTATION_PARAMS and data.getlist(name):
            known.setlist(name, data.getlist(name))
    facets = filterset_class.facet_by_param
    across_facet, down_facet = facets[across], facets[down]
    # One FilterSet of the request itself reports what it ignored.
    reporting = filterset_class(known, queryset=queryset)
    messages = reporting.messages
    table = CrossTable(
        slug=slug,
        caption=caption,
        noun=noun,
        across_label=across_facet.label,
        down_label=down_facet.label,
        messages=messages,
    )
    chosen_across = set(known.getlist(across))
    chosen_down = set(known.getlist(down))
    columns = _vocabulary(across_facet, chosen_across)
    rows = _vocabulary(down_facet, chosen_down)
    table.columns = [{"value": value, "label": label} for _, value, label, _ in columns]
    table.rows = [
        {"value": value, "label": label, "depth": depth, "cells": []}
        for _, value, label, depth in rows
    ]
    for _, value, _label, _ in columns:
        query = known.copy()
        query.setlist(across, [value])
        query.pop(down, None)
        counts = down_facet.counted(filterset_class(query, queryset=queryset))
        for row, (key, down_value, _, _) in zip(table.rows, rows, strict=True):
            table_query = query_string(query, {down: [down_value]})
            row["cells"].append(
                {"count": counts.get(key, 0), "url": f"{list_url}{table_query}"}
            )
    return table
