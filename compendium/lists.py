"""The public list page and its CSV export, shared by practices and action points."""

from django.http import Http404
from django.urls import reverse
from django_filters.views import FilterView

from compendium.csv import csv_response
from compendium.errors import PublicHttp404
from compendium.filters import active_chips, facet_groups

PAGE_SIZE = 20


class FacetedListView(FilterView):
    """A FilterSet-driven list: facets with counts, chips, messages, CSV link.

    Not strict: an unknown or malformed value is reported beside its filter and the
    remaining filters still apply.
    """

    paginate_by = PAGE_SIZE
    strict = False
    export_url_name = None
    noun = ("item", "items")

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Always bound, so that defaults (ordering) apply to the first visit as well.
        kwargs["data"] = self.request.GET
        return kwargs

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404 as error:
            raise PublicHttp404(
                "That page of results does not exist: the list is shorter, or the page "
                "number is not a whole number from 1 up."
            ) from error

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        groups = facet_groups(filterset)
        chips = active_chips(filterset, groups)
        messages = filterset.messages
        for group in groups:
            group["messages"] = messages.get(group["param"], [])
        count = context["paginator"].count if context.get("paginator") else 0
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            facet_groups=groups,
            chips=chips,
            filter_messages=messages,
            result_count=count,
            result_noun=self.noun[0] if count == 1 else self.noun[1],
            search_query=filterset.search_query,
            has_filters=bool(chips) or bool(filterset.search_query),
            export_url=(
                reverse(self.export_url_name)
                + (f"?{query.urlencode()}" if query else "")
            ),
        )
        return context


def export_filtered(request, filterset_class, queryset, columns, stem, rows=None):
    """The CSV twin of a FacetedListView: the same FilterSet, every page, same order.

    ``rows(queryset)`` turns the filtered queryset into what ``columns`` read; by
    default its model instances, streamed in chunks.
    """
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if rows is None:
        return csv_response(filterset.qs.iterator(chunk_size=1000), columns, stem)
    return csv_response(rows(filterset.qs), columns, stem)
