"""The list engine: one road for every public list.

    query string -> params.clean_params -> ListFilterSet (lenient fields, one filter
    per parameter) -> Model.objects.published() narrowed by each filter and searched
    -> ordering -> ListingView -> renderer: HTML page with facets and chips | CSV |
    XLSX | JSON

- ``params``: what arrives is cleaned once (control characters, repeats, sizes).
- ``filters``: the filters and the FilterSet base; a filter declared with ``facet=``
  is also a sidebar facet, so a facet is one declaration.
- ``facets``: kinds of facet (a column or foreign key, a relation, tags, a tree),
  each counting its options and returning them ready to display.
- ``cache``: facet counts cached per query until the content changes.
- ``chips``: the removable chips of the active filters, and the list's description.
- ``views``: the one view per list and its renderers.
- ``export``: the CSV and XLSX writers' shared columns.
"""
