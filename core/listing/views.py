"""The one view of a public list, and its renderers: HTML, CSV, XLSX, JSON, and for
lists whose rows can be cited, BibTeX and RIS.

Every renderer starts from the same FilterSet over the same ``published()`` rows, so
"these rows" has one definition; the URL picks the renderer
(``ListingView.as_view(renderer="csv")``).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django_filters.views import FilterView

from core.citation import FORMATS as CITATION_FORMATS
from core.citation import citation_response
from core.errors import PublicHttp404
from core.listing.cache import facet_groups
from core.listing.chips import Noun, active_chips, chosen_labels, describe, qualifiers
from core.listing.csv import csv_response, queryset_csv_response
from core.listing.facets import displayed
from core.listing.feeds import atom_response
from core.listing.params import query_string
from core.listing.urls import CITATION_RENDERERS, EXPORT_RENDERERS, FEED_RENDERER
from core.listing.xlsx import xlsx_response
from core.search import SUGGEST_BELOW, record_miss, suggestion
from core.translation import (
    LANG_PARAM,
    LANGUAGE_UNKNOWN,
    in_active_language,
    language_named,
    streamed_in,
)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAGE_MISSING = (
    "That page of results does not exist: the list is shorter, or the page number "
    "is not a whole number from 1 up."
)


@dataclass(frozen=True)
class Export:
    """A list's rows as the exports show them, in one place per list.

    ``columns(request)``: the Column objects, in order (their headers are the CSV's
    header line and the JSON items' keys); ``rows(queryset)``: what the columns read,
    one per row of the filtered, ordered queryset, streamed; ``cite(request,
    queryset)``, where the rows can be cited: one ``core.citation.Citation`` per row,
    streamed, for the BibTeX and RIS renderers.
    """

    stem: str
    columns: object
    rows: object
    cite: object = None

    def rows_in_language(self, queryset):
        """``rows(queryset)`` with their texts in the active language, where editors
        wrote them in it (core.translation)."""
        return in_active_language(getattr(queryset, "model", None), self.rows(queryset))

    def items(self, request, queryset):
        """The rows of ``queryset`` as JSON items: {header: value}, with lists and
        numbers kept as such."""
        columns = self.columns(request)
        rows = self.rows_in_language(queryset)
        return [
            {column.header: _json_value(column.value(row)) for column in columns}
            for row in rows
        ]


def use_data_language(request=None):
    """Exports are data: their column names stay English, and so do their values
    (texts, choice labels, names) whatever the language of the address that links to
    them, unless the request asks for another language with ``lang``. Activated for
    the rest of the request rather than overridden, so that a streamed body is
    written in it too. False for a ``lang`` that names no language of the site."""
    language = language_named(
        request.GET.get(LANG_PARAM) if request is not None else None
    )
    if language is None:
        return False
    translation.activate(language)
    return True


def unknown_language():
    """The answer to an export asked for in a language the site does not have."""
    return HttpResponseBadRequest(
        LANGUAGE_UNKNOWN, content_type="text/plain; charset=utf-8"
    )


class KeyedRows:
    """Rows to page through, known by their keys in order: a slice reads the rows
    of its keys only (``rows_for(keys)``, which gives them in the same order)."""

    def __init__(self, keys, rows_for):
        self.keys = keys
        self.rows_for = rows_for

    def count(self):
        return len(self.keys)

    def __len__(self):
        return len(self.keys)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        return self.rows_for(self.keys[index])


class ListingView(FilterView):
    """A FilterSet-driven public list: facets with counts, chips, messages, exports.

    Not strict: an unknown or malformed value is reported beside its filter and the
    remaining filters still apply. Subclasses set ``filterset_class``, ``export``,
    ``noun`` and ``template_name``, and are routed with ``core.listing.urls``
    ``list_routes()``, which puts the exports beside the page.
    """

    paginate_by = PAGE_SIZE
    strict = False
    renderer = "html"
    renderers = ("html", "csv", "xlsx", "json", *CITATION_RENDERERS, FEED_RENDERER)
    noun = Noun("item", "items")
    export = None
    #: A ``core.listing.feeds.Feed`` for a list whose rows have a publication date:
    #: ``list_routes`` then adds ``<list>/feed.atom``.
    feed = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if self.renderer not in self.renderers:
            raise ImproperlyConfigured(f"Unknown renderer {self.renderer!r}.")

    def get_queryset(self):
        """The rows of this list, for every renderer: its model's published rows.

        Not to be narrowed here: facet counts rely on it being exactly
        ``published()``. Filters narrow it; ``page_queryset`` adds what a page shows.
        """
        return self.filterset_class._meta.model._default_manager.published()

    def page_queryset(self, queryset):
        """Override to add what the HTML page's cards need (select_related ...)."""
        return queryset

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, so that defaults (ordering) apply to the first visit as well.
        kwargs["data"] = self.request.GET
        return kwargs

    def get(self, request, *args, **kwargs):
        if self.renderer != "html" and not use_data_language(request):
            return unknown_language()
        self.filter_rows()
        return getattr(self, f"render_{self.renderer}")()

    def filter_rows(self):
        """This request's FilterSet and the rows it gives: where every renderer
        starts."""
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.object_list = self.filterset.qs

    @classmethod
    def payload_for(cls, request):
        """The JSON renderer's payload for ``request``, for a view of its own (the
        API's) to answer with; raises PublicHttp404 for a page that does not exist."""
        view = cls(renderer="json")
        view.setup(request)
        view.filter_rows()
        return view.json_payload()

    # HTML -------------------------------------------------------------------------

    def render_html(self):
        context = self.get_context_data(
            filter=self.filterset, object_list=self.object_list
        )
        return self.render_to_response(context)

    def get_paginator(self, queryset, per_page, *args, **kwargs):
        """Pages of ``queryset``; their count is the facet index's where it gave the
        rows (``ListFilterSet.listed_count``), no counting query then."""
        paginator = super().get_paginator(queryset, per_page, *args, **kwargs)
        known = self.filterset.listed_count
        if known is not None:
            paginator.__dict__["count"] = known
        return paginator

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(
                self.paged(queryset, self.page_queryset), page_size
            )
        except Http404 as error:
            raise PublicHttp404(PAGE_MISSING) from error

    def paged(self, queryset, rows_for):
        """What a page of the list slices: ``rows_for(queryset)``; or, for a search
        whose keys the index gave in the list's order, those keys, each page then
        reading ``rows_for`` its own rows only, not all of them sorted to keep
        twenty (``KeyedRows``)."""
        keys = self.filterset.listed_order
        if keys is None:
            return rows_for(queryset)
        return KeyedRows(
            keys, lambda chosen: rows_for(self.filterset.rows_among(chosen))
        )

    def facets(self, *, truncate=True):
        """The facet groups as displayed for this request, with their messages."""
        filterset = self.filterset
        groups = displayed(
            filterset.facets,
            facet_groups(filterset),
            filterset.params,
            truncate=truncate,
        )
        messages = filterset.messages
        for group in groups:
            group["messages"] = messages.get(group["param"], [])
        return groups

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        groups = self.facets()
        chips = active_chips(filterset, groups)
        count = context["paginator"].count if context.get("paginator") else 0
        context.update(
            facet_groups=groups,
            chips=chips,
            filter_messages=filterset.messages,
            result_count=count,
            result_noun=self.noun.for_count(count),
            search_query=filterset.search_query,
            has_filters=bool(chips) or bool(filterset.search_query),
            # What the phone's "Filters (N applied)" control counts: the search box
            # is outside the filter panel.
            applied_filter_count=sum(chip["param"] != "q" for chip in chips),
            description=describe(count, self.noun, filterset.search_query, chips),
            page_range=(
                context["paginator"].get_elided_page_range(
                    context["page_obj"].number, on_each_side=2, on_ends=1
                )
                if context.get("is_paginated")
                else []
            ),
            export_links=[
                {"renderer": renderer, "url": self.export_url(renderer)}
                for renderer in EXPORT_RENDERERS
            ],
            language_export_links=self.language_export_links(),
            citation_links=[
                {
                    "renderer": renderer,
                    "label": CITATION_FORMATS[renderer][2],
                    "url": self.export_url(renderer),
                }
                for renderer in (CITATION_RENDERERS if self.export.cite else ())
            ],
            export_url=self.export_url("csv"),
            feed_url=self.feed_url() if self.feed else "",
            canonical_url=self.canonical_url(),
            expanded_facets=[
                group["param"] for group in groups if group.get("expanded")
            ],
            **self.search_help(count, chips),
        )
        return context

    def search_help(self, count, chips):
        """A "did you mean" for a search with few results, from this list's published
        rows; a search that found nothing with no filter besides it is counted."""
        query = self.filterset.search_query
        if not query or count >= SUGGEST_BELOW:
            return {}
        if not count and all(chip["param"] == "q" for chip in chips):
            record_miss(query)
        better = suggestion(query, [self.get_queryset()])
        if not better:
            return {}
        return {
            "did_you_mean": better,
            "did_you_mean_url": query_string(self.filterset.params, {"q": [better]}),
        }

    def export_url(self, renderer, **extra):
        """The page's export in ``renderer``, with the same query and the ``extra``
        parameters (at ``<the list's address>export.<renderer>``, see list_routes)."""
        params = self.filterset.params
        if extra:
            params = params.copy()
            for name, value in extra.items():
                params[name] = value
        return f"{self.request.path}export.{renderer}" + _query_or_nothing(params)

    def language_export_links(self):
        """On a page in another language than English: the exports with their texts,
        names and labels in it (``lang``), beside the English ones; none otherwise."""
        language = translation.get_language()
        if language == settings.LANGUAGE_CODE:
            return []
        return [
            {"renderer": renderer, "url": self.export_url(renderer, lang=language)}
            for renderer in EXPORT_RENDERERS
        ]

    def feed_url(self):
        """The page's Atom feed, with the same query (at ``<list>/feed.atom``)."""
        return f"{self.request.path}feed.atom" + _query_or_nothing(
            self.filterset.params
        )

    def canonical_url(self):
        """This page's address for search engines: the list's own parameters only.

        Each filtered list (and each of its pages) is a page of its own, so the
        canonical address keeps the filters, the order and the page number; it
        drops what does not change the rows (tracking tags, typos, empty values,
        another list's parameters) and puts the rest in one order, so that links
        differing in those alone count as one page.
        """
        params = self.filterset.params
        known = {*self.filterset.filters, "page"}
        pairs = sorted(
            (name, value)
            for name in params
            if name in known
            for value in params.getlist(name)
            if (name, value) != ("page", "1")
        )
        return self.request.path + (f"?{urlencode(pairs)}" if pairs else "")

    # CSV and XLSX: every row, in the list's order ---------------------------------

    def export_rows(self):
        return self.export.rows_in_language(self.object_list)

    def render_csv(self):
        columns = self.export.columns(self.request)
        language = translation.get_language()
        if language != settings.LANGUAGE_CODE:
            # Asked for in another language: written here, since PostgreSQL's COPY
            # reads the English columns; its lines in that language, since they are
            # written after the middleware has put the request's language back.
            response = csv_response(self.export_rows(), columns, self.export.stem)
            response.streaming_content = streamed_in(
                language, response.streaming_content
            )
            return response
        return queryset_csv_response(
            self.object_list, self.export.rows, columns, self.export.stem
        )

    def render_xlsx(self):
        return xlsx_response(
            self.export_rows(), self.export.columns(self.request), self.export.stem
        )

    # BibTeX and RIS: every row, in the list's order, as citations ----------------

    def render_bib(self):
        return self.render_citations("bib")

    def render_ris(self):
        return self.render_citations("ris")

    def render_citations(self, renderer):
        if self.export.cite is None:
            raise Http404
        return citation_response(
            self.export.cite(self.request, self.object_list),
            renderer,
            self.export.stem,
        )

    # Atom: the newest rows of the list ------------------------------------------

    def render_atom(self):
        if self.feed is None:
            raise Http404
        filterset = self.filterset
        chips = active_chips(filterset, chosen_labels(filterset))
        return atom_response(
            self.request,
            self.feed,
            self.feed.newest(self.object_list),
            qualifiers=qualifiers(filterset.search_query, chips),
            list_url=self.request.path.removesuffix("feed.atom")
            + _query_or_nothing(filterset.params),
            messages=filterset.messages,
        )

    # JSON: one page, with the facets ----------------------------------------------

    def json_payload(self):
        """The API's answer: one page of items (the export's columns, with lists
        and numbers kept as such), pagination links, facet counts and messages."""
        request = self.request
        params = self.filterset.params
        page_size = _page_size(params.get("page_size"), self.paginate_by)
        paginator = self.get_paginator(
            self.paged(self.object_list, lambda rows: rows), page_size
        )
        try:
            page = paginator.page(params.get("page") or 1)
        except (EmptyPage, PageNotAnInteger) as error:
            raise PublicHttp404(PAGE_MISSING) from error
        items = self.export.items(request, page.object_list)

        def page_url(number):
            query = params.copy()
            query["page"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        groups = self.facets(truncate=False)
        messages = self.filterset.messages
        for group in groups:
            for option in group["options"]:
                option["toggle_url"] = request.build_absolute_uri(
                    request.path + option["toggle_url"]
                )
        return {
            "count": paginator.count,
            "page": page.number,
            "num_pages": paginator.num_pages,
            "page_size": page_size,
            "next": page_url(page.next_page_number()) if page.has_next() else None,
            "previous": (
                page_url(page.previous_page_number()) if page.has_previous() else None
            ),
            "query": self.filterset.search_query,
            "results": items,
            "facets": [
                {
                    "param": group["param"],
                    "label": group["label"],
                    "options": [
                        {
                            key: option[key]
                            for key in ("value", "label", "count", "selected")
                        }
                        | {"toggle_url": option["toggle_url"]}
                        for option in group["options"]
                    ],
                }
                for group in groups
            ],
            "messages": messages,
        }

    def render_json(self):
        return JsonResponse(
            self.json_payload(), json_dumps_params={"ensure_ascii": False}
        )


def _query_or_nothing(params):
    """``?`` and the query without ``page``, or nothing for an empty query."""
    query = query_string(params)
    return query if query != "?" else ""


def _page_size(raw, default):
    try:
        size = int(raw)
    except (TypeError, ValueError):
        return default
    return min(max(size, 1), MAX_PAGE_SIZE)


def _json_value(value):
    if isinstance(value, list | tuple):
        return [v for v in value if v not in (None, "")]
    return value
