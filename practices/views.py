from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Lower
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import DetailView
from pyroaring import BitMap

from core.citation import FORMATS as CITATION_FORMATS
from core.citation import citation_response
from core.listing.chips import Noun
from core.listing.feeds import Feed
from core.listing.index import most_shared, published_options
from core.listing.params import clean_params
from core.listing.views import ListingView
from practices.export import (
    LESSON_EXPORT,
    ORGANISATION_EXPORT,
    PRACTICE_EXPORT,
    citation,
)
from practices.filters import (
    SORT_CHOICES,
    LessonFilterSet,
    OrganisationFilterSet,
    PracticeFilterSet,
)
from practices.models import (
    LessonLearned,
    Organisation,
    OrganisationType,
    Practice,
    PracticeOldSlug,
    PracticePartner,
)

RELATED_LIMIT = 4
RELATED_CANDIDATES = 50


class PracticeListView(ListingView):
    filterset_class = PracticeFilterSet
    template_name = "practices/practice_list.html"
    export = PRACTICE_EXPORT
    noun = Noun("practice", "practices")
    feed = Feed(_("New practices"))

    def page_queryset(self, queryset):
        return queryset.with_card_relations()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.filterset.params
        for practice in context["object_list"]:
            practice.match_note = place_match_note(
                practice, params.getlist("region"), params.getlist("country")
            )
        context.update(
            sort_choices=SORT_CHOICES,
            crumbs=[{"label": _("Practices")}],
            search_placeholder=(
                "e.g. banks financial intelligence, “worker voice”, -audit"
            ),
        )
        return context


def place_match_note(practice, region_slugs, country_codes):
    """Why a card matches the region or country filter, when the card does not show
    it: "In Africa" for a practice whose card names Nigeria. Reads the prefetched
    relations."""
    shown = practice.place_display
    matched = [
        region.name
        for region in practice.regions.all()
        if region.slug in region_slugs and region.name not in shown
    ]
    matched += [
        country.display_name
        for country in practice.countries.all()
        if str(country.code) in country_codes and country.display_name not in shown
    ]
    return gettext("In %(places)s") % {"places": ", ".join(matched)} if matched else ""


class PracticeDetailView(DetailView):
    """A published practice; staff may also preview drafts, which carry a banner."""

    template_name = "practices/practice_detail.html"

    def get_queryset(self):
        return (
            Practice.objects.previewable_by(self.request.user)
            .with_all_relations()
            .prefetch_related(
                Prefetch("lessons", queryset=LessonLearned.objects.published()),
            )
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = moved_practice(kwargs["slug"])
            if moved is None:
                raise
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                moved.get_absolute_url() + (f"?{query}" if query else "")
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        practice = self.object
        # Meetings belong to an app that depends on this one: their own queryset,
        # reached through the reverse relation, says which of them are public.
        context["meetings"] = practice.meetings.published()
        context["action_points"] = practice.action_points.published().select_related(
            "audience", "sector"
        )
        context["provenance_meetings"] = practice.provenance_meetings()
        context["related_practices"] = related_practices(practice)
        if practice.is_published:
            url = self.request.build_absolute_uri(practice.get_absolute_url())
            context["citation"] = citation(
                url, practice, [tag.name for tag in practice.tags.all()]
            )
            context["citation_links"] = [
                {
                    "label": label,
                    "url": reverse(
                        f"practices:cite_{renderer}", kwargs={"slug": practice.slug}
                    ),
                }
                for renderer, (_ext, _type, label) in CITATION_FORMATS.items()
            ]
        return context


def moved_practice(slug):
    """The published practice that had ``slug`` before an editor changed it, or
    None: a draft's old address answers 404 like any unknown one."""
    old = (
        PracticeOldSlug.objects.filter(
            slug=slug, practice__in=Practice.objects.published()
        )
        .select_related("practice")
        .first()
    )
    return old.practice if old else None


class PracticeCitationView(View):
    """A published practice as a citation file (BibTeX, RIS or CSL-JSON); never a
    draft, not even for staff, since a file leaves the preview behind."""

    renderer = None

    def get(self, request, slug):
        practice = Practice.objects.published().filter(slug=slug).first()
        if practice is None:
            moved = moved_practice(slug)
            if moved is None:
                raise Http404
            return HttpResponsePermanentRedirect(
                reverse(f"practices:cite_{self.renderer}", kwargs={"slug": moved.slug})
            )
        url = request.build_absolute_uri(practice.get_absolute_url())
        tags = practice.tags.order_by("name").values_list("name", flat=True)
        return citation_response(
            [citation(url, practice, tags)], self.renderer, practice.slug
        )


def related_practices(practice, limit=RELATED_LIMIT, candidates=RELATED_CANDIDATES):
    """Published practices sharing the most sectors, stages and tags with this one.

    Scoring every practice that shares a sector reads most of a large collection, so
    only a pool is scored: those sharing the most tags, the most stages, and the
    latest in the same sectors. Where the facet index serves the list's sector,
    stage and tag facets, the pool and the scores come from its bitmaps; else each
    is read from its own narrow table. The same practices either way.
    """
    shared_ids = {
        "sector": [s.pk for s in practice.sectors.all()],
        "stage": [s.pk for s in practice.stages.all()],
        "tag": [t.pk for t in practice.tags.all()],
    }
    published = Practice.objects.published().exclude(pk=practice.pk)
    pool = set()
    if shared_ids["sector"]:
        pool.update(
            published.filter(sectors__in=shared_ids["sector"])
            .order_by("-published_at", "pk")
            .values_list("pk", flat=True)[:candidates]
        )
    indexed = published_options(PracticeFilterSet, tuple(shared_ids), published.db)
    if indexed is None:
        related = _related_in_sql(published, pool, shared_ids, candidates)
    else:
        related = _related_from_index(practice, indexed, pool, shared_ids, candidates)
    return (
        related.order_by("-shared", Lower("title"), "pk")
        .select_related("kind")
        .prefetch_related("sectors")[:limit]
    )


def _related_in_sql(published, pool, shared_ids, candidates):
    pool_sources = (
        (
            Practice.tags.through.objects.filter(
                content_type=ContentType.objects.get_for_model(Practice)
            ),
            "object_id",
            "tag_id",
            shared_ids["tag"],
        ),
        (
            Practice.stages.through.objects.all(),
            "practice_id",
            "stage_id",
            shared_ids["stage"],
        ),
    )
    for rows, key, term, ids in pool_sources:
        if ids:
            pool.update(
                rows.filter(
                    **{f"{term}__in": ids, f"{key}__in": published.values("pk")}
                )
                .values(key)
                .annotate(shared=Count("pk"))
                .order_by("-shared", key)
                .values_list(key, flat=True)[:candidates]
            )
    # An empty list makes its Count, and so the whole sum, a constant 0: leave it out.
    shared = Value(0)
    for name, param in (("sectors", "sector"), ("stages", "stage"), ("tags", "tag")):
        ids = shared_ids[param]
        if ids:
            shared += Count(name, filter=Q(**{f"{name}__in": ids}), distinct=True)
    return (
        published.filter(pk__in=pool)
        .filter(Q(sectors__in=shared_ids["sector"]) | Q(tags__in=shared_ids["tag"]))
        .annotate(shared=shared)
    )


def _related_from_index(practice, indexed, pool, shared_ids, candidates):
    rows, options = indexed
    others = rows - BitMap([practice.pk])
    # This practice's options' bitmaps (an option no published row has, none).
    chosen = {
        param: [options[param][key] for key in ids if key in options[param]]
        for param, ids in shared_ids.items()
    }
    for param in ("tag", "stage"):
        pool.update(most_shared(chosen[param], others, candidates))
    # As in SQL: the rows sharing a sector or a tag, scored by every option shared.
    every = [bitmap for bitmaps in chosen.values() for bitmap in bitmaps]
    kept = [
        key
        for key in pool
        if any(key in bitmap for bitmap in (*chosen["sector"], *chosen["tag"]))
    ]
    shared = Case(
        *(When(pk=key, then=Value(sum(key in b for b in every))) for key in kept),
        default=Value(0),
        output_field=IntegerField(),
    )
    return Practice.objects.published().filter(pk__in=kept).annotate(shared=shared)


class OrganisationListView(ListingView):
    filterset_class = OrganisationFilterSet
    template_name = "practices/organisation_list.html"
    export = ORGANISATION_EXPORT
    noun = Noun("organisation", "organisations")
    context_object_name = "organisations"
    paginate_by = 100
    extra_context = {"crumbs": [{"label": _("Organisations")}]}

    def page_queryset(self, queryset):
        return queryset.select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Counted for this page's organisations only, not for every organisation.
        organisations = context["object_list"]
        counts = (
            PracticePartner.objects.in_published_practices()
            .filter(
                organisation__in=[organisation.pk for organisation in organisations]
            )
            .practices_per_organisation()
        )
        for organisation in organisations:
            organisation.practice_count = counts.get(organisation.pk, 0)
        context["search_placeholder"] = "e.g. bank, labour inspectorate, Europol"
        return context


class OrganisationDetailView(DetailView):
    """An organisation named by published content, with its practices."""

    template_name = "practices/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.published().select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roles"] = (
            PracticePartner.objects.in_published_practices()
            .filter(organisation=self.object)
            .select_related("practice__kind")
            .prefetch_related("practice__sectors")
            .order_by("practice__title")
        )
        # Meetings live in an app that depends on this one: read through the
        # reverse relation's own (published-only) queryset.
        context["meetings"] = self.object.meetings.published()
        context["list_url"] = reverse("practices:list")
        return context


class LessonListView(ListingView):
    filterset_class = LessonFilterSet
    template_name = "practices/lessonlearned_list.html"
    export = LESSON_EXPORT
    noun = Noun("lesson learned", "lessons learned")
    feed = Feed(_("New lessons learned"), description="text")
    context_object_name = "lessons"
    paginate_by = 50
    extra_context = {"crumbs": [{"label": _("Lessons learned")}]}

    def page_queryset(self, queryset):
        return queryset.select_related("sector").prefetch_related(
            # A public lesson's practices are all published (its gate): no filter.
            "practices"
        )


COMPARE_MIN = 2
COMPARE_MAX = 4


@require_safe
def compare(request):
    """Two to four published practices side by side, named by ``p=<slug>``.

    A slug that names no published practice (a typo, a draft, an archived one) is
    reported in the same words, so the page never tells a draft exists.
    """
    slugs = []
    for value in clean_params(request.GET).getlist("p"):
        if value not in slugs:
            slugs.append(value)
    messages = []
    if len(slugs) > COMPARE_MAX:
        messages.append(
            gettext(
                "At most %(max)s practices can be compared at once: the first "
                "%(max)s are shown."
            )
            % {"max": COMPARE_MAX}
        )
        slugs = slugs[:COMPARE_MAX]
    found = {
        practice.slug: practice
        for practice in Practice.objects.published()
        .filter(slug__in=slugs)
        .with_all_relations()
        .prefetch_related(
            Prefetch("lessons", queryset=LessonLearned.objects.published()),
        )
    }
    for slug in slugs:
        if slug not in found:
            messages.append(
                gettext(
                    "No published practice has the address “%(slug)s”; it was left out."
                )
                % {"slug": slug}
            )
    practices = [found[slug] for slug in slugs if slug in found]
    if len(practices) < COMPARE_MIN:
        messages.append(
            gettext(
                "Choose %(min)s to %(max)s practices to compare: tick “Compare” on "
                "the practices of the list, then “Compare the ticked practices”."
            )
            % {"min": COMPARE_MIN, "max": COMPARE_MAX}
        )
    type_order = {value: index for index, value in enumerate(OrganisationType.values)}
    for practice in practices:
        by_type = {}
        for link in sorted(
            practice.partners.all(),
            key=lambda link: type_order.get(link.organisation.type, len(type_order)),
        ):
            by_type.setdefault(link.organisation.get_type_display(), []).append(link)
        practice.partners_by_type = list(by_type.items())
        # Meetings and their action points belong to an app that depends on this
        # one: reached through the reverse relations' own published() querysets.
        practice.public_meetings = [
            (meeting, meeting.action_points.published().count())
            for meeting in practice.meetings.published()
        ]
    return render(
        request,
        "practices/practice_compare.html",
        {
            "practices": practices if len(practices) >= COMPARE_MIN else [],
            "compare_messages": messages,
            "crumbs": [
                {"label": _("Practices"), "url": reverse("practices:list")},
                {"label": _("Compare")},
            ],
        },
    )
