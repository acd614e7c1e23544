import reversion
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from core.listing.filters import with_article
from core.models import (
    BEST_FIRST,
    ContentQuerySet,
    Publishable,
    PublishableQuerySet,
    Status,
)
from core.search import SearchFields
from core.translation import EnglishColumnsQuerySet, EnglishSource

MIN_YEAR = 1950
MAX_YEAR = 2100


class OrganisationType(models.TextChoices):
    """What kind of body an organisation is; practices are filtered by it."""

    GOVERNMENT = "government", _("Government")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    FINANCIAL_INTELLIGENCE_UNIT = (
        "financial_intelligence_unit",
        _("Financial intelligence unit"),
    )
    REGULATOR = "regulator", _("Regulator")
    PRIVATE_COMPANY = "private_company", _("Private company")
    FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")
    TECHNOLOGY_COMPANY = "technology_company", _("Technology company")
    INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")
    NGO = "ngo", _("NGO")
    INTERNATIONAL_ORGANISATION = (
        "international_organisation",
        _("International organisation"),
    )
    ACADEMIA = "academia", _("Academia")

    @property
    def in_words(self):
        """How a sentence names a partner of this type: "an NGO", "academia"."""
        if self in {self.LAW_ENFORCEMENT, self.ACADEMIA}:
            return self.label.lower()
        return with_article(self.label)

    @property
    def is_public_sector(self):
        return self in {
            self.GOVERNMENT,
            self.LAW_ENFORCEMENT,
            self.FINANCIAL_INTELLIGENCE_UNIT,
            self.REGULATOR,
        }


class Taxonomy(EnglishSource):
    """A named, ordered term with a stable slug used in public URLs."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Used in public URLs and filters; do not change once published.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class TaxonomyManager(models.Manager.from_queryset(EnglishColumnsQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Sector(Taxonomy):
    summary = models.CharField(
        max_length=300, help_text="One sentence shown on cards and the home page."
    )
    description = models.TextField(
        help_text="The sector's challenges and why partnerships matter there."
    )

    objects = TaxonomyManager()

    class Meta(Taxonomy.Meta):
        pass

    def get_absolute_url(self):
        return reverse("partnerships:sector", kwargs={"slug": self.slug})


class Stage(Taxonomy):
    """A stage of the trafficking process a practice addresses."""

    description = models.CharField(max_length=300, blank=True)

    objects = TaxonomyManager()

    class Meta(Taxonomy.Meta):
        pass


class Audience(Taxonomy):
    """A stakeholder group a practice serves or an action point addresses."""

    description = models.CharField(max_length=300, blank=True)

    objects = TaxonomyManager()

    class Meta(Taxonomy.Meta):
        pass


class PartnershipKind(Taxonomy):
    description = models.CharField(max_length=300, blank=True)

    objects = TaxonomyManager()

    class Meta(Taxonomy.Meta):
        verbose_name = "kind of partnership"
        verbose_name_plural = "kinds of partnership"


class Region(Taxonomy):
    """A UN M49 region or sub-region, or a wider grouping such as "Global"."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The wider region this one belongs to (Western Africa → Africa).",
    )

    objects = TaxonomyManager()

    class Meta(Taxonomy.Meta):
        pass

    def with_ancestors(self):
        region, chain = self, []
        while region is not None and region not in chain:
            chain.append(region)
            region = region.parent
        return chain


class CountryManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Country(models.Model):
    code = CountryField(unique=True, help_text="ISO 3166-1 alpha-2 code.")
    name = models.CharField(
        max_length=100,
        blank=True,
        help_text="Filled in from the ISO code if left empty.",
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="countries",
        help_text="The UN M49 sub-region the country belongs to.",
    )

    objects = CountryManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.name:
            # The stored name is the English one, whatever language the editor's
            # admin speaks; display_name translates it.
            with translation.override(settings.LANGUAGE_CODE):
                self.name = self.code.name
        super().save(*args, **kwargs)

    def natural_key(self):
        return (str(self.code),)

    @property
    def display_name(self):
        """The name in the active language: the editors' own in English, otherwise
        django-countries' translation of the ISO name (the UN's short names)."""
        if translation.get_language() == settings.LANGUAGE_CODE:
            return self.name
        return self.code.name


class OrganisationQuerySet(ContentQuerySet):
    search_fields = SearchFields(a=("name",), b=("description",))

    def _public(self):
        """Named by at least one published practice or meeting.

        An organisation has no workflow of its own: it becomes public through the
        content that names it, so one added with a draft stays hidden with it.
        """
        named_by_practices = PracticePartner.objects.in_published_practices().values(
            "organisation"
        )
        # Meetings belong to an app that depends on this one, so they are reached by
        # their reverse relation; a meeting hangs off nothing and is public by its
        # status alone.
        named_by_meetings = Organisation.objects.filter(
            meetings__status=Status.PUBLISHED
        ).values("pk")
        return Q(pk__in=named_by_practices) | Q(pk__in=named_by_meetings)


class OrganisationManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


@reversion.register()
class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    type = models.CharField(max_length=32, choices=OrganisationType, db_index=True)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="Headquarters. Leave empty for an international or unnamed group.",
    )
    website = models.URLField(max_length=300, blank=True)
    description = models.TextField(
        blank=True, help_text="What the organisation is, in one or two sentences."
    )

    objects = OrganisationManager()

    class Meta:
        # The table keeps the name it was made with, in the app the model came from.
        db_table = "partnerships_organisation"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practices:organisation_detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class PracticeQuerySet(PublishableQuerySet):
    # Title above summary and tags, above description, outcomes, partners and
    # countries. On PostgreSQL the stored vector holds them, on SQLite the full-text
    # index (practices.search).
    search_fields = SearchFields(
        a=("title",),
        b=("summary", "tags__name"),
        c=(
            "description",
            "outcomes",
            "partners__organisation__name",
            "countries__name",
        ),
        stored_vector="search_vector",
        rank_vector="rank_vector",
        language_vector="search_vector_{language}",
        headline_field="summary",
        sqlite_index="practices_practice_fts",
    )

    def best_matches(self, query, limit):
        """Read from the practices' search rows (``practices.search.ranked_keys``)
        when these are exactly the published practices, whatever relations they
        bring, and the rows answer; else as any content is."""
        from core.listing.index import published_keys
        from practices.search import ranked_keys

        published = published_keys(self.select_related(None))
        if published is not None:
            keys = ranked_keys(
                query,
                lambda rows: rows.order_by(*BEST_FIRST),
                among=published,
                limit=limit,
            )
            if keys is not None:
                return self.search(query, matches=keys).order_by(*BEST_FIRST)
        return super().best_matches(query, limit)

    def with_card_relations(self):
        """What a practice card in a list shows, in a constant number of queries."""
        return self.select_related("kind").prefetch_related(
            "sectors", "countries", "regions"
        )

    def with_all_relations(self):
        """Everything a practice page shows, in a constant number of queries."""
        return self.with_card_relations().prefetch_related(
            "stages",
            "audiences",
            "tags",
            "sources",
            models.Prefetch(
                "partners",
                queryset=PracticePartner.objects.select_related("organisation"),
            ),
        )

    def provenance_counts(self):
        """How many of these practices there are of each kind of provenance
        (``provenance_summary``), counted in SQL."""
        return provenance_summary(
            dict(self.order_by().values_list("provenance").annotate(n=Count("pk")))
        )

    def tags(self):
        """The tags these practices carry: of ``published()`` ones, the public tags.

        A tag that only drafts carry is not public yet.
        """
        return Tag.objects.filter(
            pk__in=TaggedItem.objects.filter(
                # By name, not by a ContentType lookup: FilterSets build this when
                # they are defined, before any database may be reached.
                content_type__app_label=self.model._meta.app_label,
                content_type__model=self.model._meta.model_name,
                object_id__in=self.values("pk"),
            ).values("tag")
        )


def provenance_summary(counts):
    """How many practices there are of each kind of provenance, in the order of
    ``Provenance``, with the total, from ``counts`` ({provenance: practices}): what
    the home and About pages say, computed rather than written by hand."""
    return {
        "total": sum(counts.values()),
        "kinds": [
            {"kind": kind, "count": n, "words": kind.counted(n)}
            for kind in Provenance
            for n in [counts.get(kind.value, 0)]
        ],
    }


#: The Compendium's own page at UNODC, which every provenance note links to.
COMPENDIUM_URL = "https://www.unodc.org/unodc/en/ngos/ppp-compendium.html"


class Provenance(models.TextChoices):
    """How a practice is connected to UNODC's PPP project, stated exactly.

    The meeting behind the first two kinds is linked from the meeting (partnerships
    depends on this app): ``Meeting.practices`` for a practice presented or discussed
    there, ``Meeting.organisation_practices`` for one whose organisation took part.
    """

    PRESENTED = "presented", _("Presented or discussed at a UNODC meeting")
    ORGANISATION = (
        "organisation",
        _("An organisation behind it took part in a UNODC meeting"),
    )
    DOCUMENTED_ELSEWHERE = (
        "documented_elsewhere",
        _("Comparable practice documented elsewhere"),
    )

    @property
    def meeting_relation(self):
        """The reverse accessor on a practice naming its provenance meetings."""
        return {
            self.PRESENTED: "meetings",
            self.ORGANISATION: "organisation_meetings",
        }.get(self)

    @property
    def needs_meeting(self):
        return self.meeting_relation is not None

    def counted(self, n):
        """``n`` practices of this kind, in words: "4 whose organisation took part
        in a UNODC meeting"."""
        words = {
            self.PRESENTED: ngettext(
                "%(count)s presented or discussed at a UNODC meeting",
                "%(count)s presented or discussed at a UNODC meeting",
                n,
            ),
            self.ORGANISATION: ngettext(
                "%(count)s whose organisation took part in a UNODC meeting",
                "%(count)s whose organisations took part in a UNODC meeting",
                n,
            ),
            self.DOCUMENTED_ELSEWHERE: ngettext(
                "%(count)s comparable practice documented elsewhere",
                "%(count)s comparable practices documented elsewhere",
                n,
            ),
        }[self]
        return words % {"count": n}


class Maturity(models.TextChoices):
    """How far a practice has come, judged from its published sources only."""

    PILOT = "pilot", _("Pilot")
    IMPLEMENTED = "implemented", _("Implemented")
    EVALUATED = "evaluated", _("Evaluated")
    SCALED = "scaled", _("Scaled")
    NOT_ASSESSED = "not_assessed", _("Not assessed")

    @property
    def description(self):
        """The rubric: what the label means (the About page shows it)."""
        return {
            self.PILOT: _(
                "Tested on a small scale or for a limited time; the sources report "
                "no wider roll-out."
            ),
            self.IMPLEMENTED: _(
                "Running as a programme, law or service; the sources describe it in "
                "operation but give no measured results."
            ),
            self.EVALUATED: _(
                "The sources report measured results: counts of cases, reports, "
                "people reached or investigations supported."
            ),
            self.SCALED: _(
                "Extended well beyond where it started, to other countries, sectors or "
                "a large membership, as the sources report."
            ),
            self.NOT_ASSESSED: _(
                "The sources do not say enough to place it; no label is guessed."
            ),
        }[self]


@reversion.register(
    follow=("partners", "sources", "tagged_items"),
    exclude=("tags", *PracticeQuerySet.search_fields.vector_columns()),
)
class Practice(Publishable):
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text=(
            "The last part of the public address, /practices/this-slug/. "
            "Do not change it once published: people bookmark and cite it."
        ),
    )
    summary = models.TextField(
        max_length=600,
        help_text="Two or three sentences shown in lists, search results and the CSV.",
    )
    description = models.TextField(
        blank=True, help_text="How the partnership works: who does what, and how."
    )
    sectors = models.ManyToManyField(Sector, related_name="practices")
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="practices",
        help_text="Countries where it operates. Leave empty for a global practice.",
    )
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="practices",
        help_text=(
            "Regions it covers. The regions of the chosen countries and their wider "
            "regions are added automatically when you save."
        ),
    )
    stages = models.ManyToManyField(
        Stage, blank=True, related_name="practices", verbose_name="trafficking stages"
    )
    audiences = models.ManyToManyField(
        Audience,
        blank=True,
        related_name="practices",
        help_text="Stakeholder groups that can learn from or use this practice.",
    )
    kind = models.ForeignKey(
        PartnershipKind,
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name="kind of partnership",
    )
    start_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
        help_text="Year it began. Leave empty if no source gives it.",
    )
    end_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
        help_text="Year it ended. Leave empty while it is ongoing.",
    )
    outcomes = models.TextField(
        blank=True, help_text="Results reported by the sources, with their dates."
    )
    provenance = models.CharField(
        max_length=24,
        choices=Provenance,
        default=Provenance.DOCUMENTED_ELSEWHERE,
        help_text=(
            "Presented or discussed at a UNODC meeting (the practice itself), an "
            "organisation behind it took part in one, or a comparable practice "
            "documented elsewhere. For the first two, name the meeting below and "
            "give the source that says so."
        ),
    )
    provenance_source_url = models.URLField(
        max_length=500,
        blank=True,
        verbose_name="provenance source URL",
        help_text=(
            "The page that shows the practice or its organisation at the meeting. "
            "Required for the first two kinds of provenance; empty for a comparator."
        ),
    )
    provenance_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Who presented it where, or why it is included as a comparator.",
    )
    maturity = models.CharField(
        max_length=16,
        choices=Maturity,
        default=Maturity.NOT_ASSESSED,
        db_index=True,
        help_text=(
            "How far it has come, from its sources only (the rubric is on the About "
            "page). Leave “Not assessed” when the sources do not tell."
        ),
    )
    maturity_source_url = models.URLField(
        max_length=500,
        blank=True,
        verbose_name="maturity source URL",
        help_text="The source that supports the label; empty for “Not assessed”.",
    )
    tags = TaggableManager(blank=True, help_text="Comma-separated keywords.")
    # The tag links themselves, so that a version of the practice holds its tags.
    tagged_items = GenericRelation(TaggedItem)
    # Kept up to date by practices.search on PostgreSQL, where a GIN index made by
    # migration 0002 serves it; unused (NULL) on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # Its title, summary and tags part, what the rank reads (core.search.rank_vector).
    rank_vector = SearchVectorField(null=True, editable=False)
    # The texts editors wrote in each other language, in its own text search
    # configuration (core.translation.TEXT_SEARCH_CONFIGS), which a search on a page
    # in that language matches beside the English vector; a GIN index each
    # (migration 0016).
    search_vector_fr = SearchVectorField(null=True, editable=False)
    search_vector_es = SearchVectorField(null=True, editable=False)
    search_vector_ar = SearchVectorField(null=True, editable=False)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        permissions = [("publish_practice", "Can publish and archive practices")]
        indexes = [
            # Named by expression, not ``fields``: modeltranslation would copy an index
            # of ``fields`` for each language's title, which nothing orders by.
            models.Index("status", "title", name="practice_status_title"),
            models.Index(fields=["status", "start_year"], name="practice_status_year"),
            models.Index(
                fields=["status", "-published_at"], name="practice_status_pub"
            ),
            # Every public query starts from "the published ids" (facet counts, the
            # result count, filters as subqueries): an index-only scan of this index
            # reads a few MB instead of the whole table with its long texts.
            models.Index(fields=["status", "id"], name="practice_status_id"),
            # The public list's default order, for published rows only: its first
            # page of a large collection is read from the index, not sorted.
            models.Index(
                Lower("title"),
                "id",
                name="practice_pub_title",
                condition=Q(status="published"),
            ),
            models.Index(fields=["status", "kind"], name="practice_status_kind"),
            # The home and About pages count published practices by provenance:
            # read from this index alone, not from rows with their long texts.
            models.Index(
                fields=["status", "provenance"], name="practice_status_provenance"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="practice_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(start_year__gte=MIN_YEAR, start_year__lte=MAX_YEAR),
                name="practice_start_year_sane",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(end_year__gte=MIN_YEAR, end_year__lte=MAX_YEAR),
                name="practice_end_year_sane",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        errors = {}
        kind = Provenance(self.provenance) if self.provenance in Provenance else None
        if kind is not None and kind.needs_meeting and not self.provenance_source_url:
            errors["provenance_source_url"] = (
                "Give the source that shows the practice or its organisation at the "
                "meeting."
            )
        if kind == Provenance.DOCUMENTED_ELSEWHERE and self.provenance_source_url:
            errors["provenance_source_url"] = (
                "A comparable practice documented elsewhere names no meeting source: "
                "leave this empty, or choose another kind of provenance."
            )
        if self.maturity == Maturity.NOT_ASSESSED and self.maturity_source_url:
            errors["maturity_source_url"] = (
                "A practice that is not assessed has no source for its label: leave "
                "this empty, or choose a label."
            )
        elif self.maturity != Maturity.NOT_ASSESSED and not self.maturity_source_url:
            errors["maturity_source_url"] = "Give the source that supports the label."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Save, and remember the slug it had, so that its old address redirects."""
        previous = None
        if self.pk is not None:
            stored = Practice.objects.filter(pk=self.pk)
            previous = stored.values_list("slug", flat=True).first()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if previous is None or previous != self.slug:
                # The current address of any practice wins over an old one.
                PracticeOldSlug.objects.filter(slug=self.slug).delete()
            if previous and previous != self.slug:
                PracticeOldSlug.objects.update_or_create(
                    slug=previous, defaults={"practice": self}
                )

    def get_absolute_url(self):
        return reverse("practices:detail", kwargs={"slug": self.slug})

    def provenance_meetings(self):
        """The published meetings behind its provenance (none for a comparator).

        A draft meeting is never named: the practice then states its kind of
        provenance and its source only."""
        kind = Provenance(self.provenance) if self.provenance in Provenance else None
        if kind is None or not kind.needs_meeting:
            return []
        # Meetings belong to an app that depends on this one: their own queryset,
        # reached through the reverse relation, says which of them are public.
        return list(getattr(self, kind.meeting_relation).published())

    def source_for(self, url):
        """The practice's source at ``url`` (read from the prefetched sources)."""
        return next((s for s in self.sources.all() if s.url == url), None)

    @property
    def provenance_source(self):
        return self.source_for(self.provenance_source_url)

    @property
    def maturity_source(self):
        return self.source_for(self.maturity_source_url)

    @property
    def is_ongoing(self):
        return self.start_year is not None and self.end_year is None

    @property
    def years_display(self):
        if self.start_year is None:
            return gettext("Not published")
        if self.end_year is None:
            return gettext("%(start)s – ongoing") % {"start": self.start_year}
        if self.end_year == self.start_year:
            return str(self.start_year)
        return f"{self.start_year} – {self.end_year}"

    @property
    def place_display(self):
        """Where it operates, in words: its countries, else its narrowest regions.

        Reads the prefetched relations, so a list of practices costs no extra query.
        """
        countries = [country.display_name for country in self.countries.all()]
        if countries:
            shown = ", ".join(countries[:3])
            if len(countries) <= 3:
                return shown
            return gettext("%(shown)s and %(more)s more") % {
                "shown": shown,
                "more": len(countries) - 3,
            }
        regions = list(self.regions.all())
        wider = {region.parent_id for region in regions}
        return ", ".join(region.name for region in regions if region.pk not in wider)

    def sync_regions(self):
        """Add the regions of the practice's countries, and every wider region."""
        wanted = set(self.regions.all())
        wanted.update(
            country.region for country in self.countries.select_related("region")
        )
        for region in list(wanted):
            wanted.update(region.with_ancestors())
        self.regions.add(*wanted)


class PracticeOldSlug(models.Model):
    """A slug a practice had before an editor changed it: its old address redirects
    (301) to the current one, so links and citations keep working."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="old_slugs"
    )
    slug = models.SlugField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self):
        return f"/practices/{self.slug}/ → {self.practice.slug}"


def title_order():
    """The order of practices' titles: A–Z whatever their case ("eBay" beside "E…",
    not after "Z…"). The lists order by it, and ``PracticeSearch`` keeps it."""
    return Lower("title")


class PracticeSearch(models.Model):
    """A narrow copy of each practice's English search vectors and title order,
    which a broad search reads instead of the practice rows (bench/README.md).

    Matching a third of 100,000 practices on the practice table visits 20,000 pages
    of its wide rows for their keys, rank vectors and titles; this table holds those
    alone, in a quarter of the pages. Written only by
    ``practices.search.refresh_search_vectors``, with the practice's own vectors and
    from the same rows, so the two never disagree; a practice deleted takes its row
    with it. It says nothing of whether a practice is published: whoever reads it
    keeps the published keys only. On PostgreSQL; empty on SQLite.
    """

    practice = models.OneToOneField(
        Practice,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_row",
    )
    #: ``title_order()`` of the practice's title.
    title_key = models.TextField()
    search_vector = SearchVectorField(null=True)
    rank_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "practice search row"

    def __str__(self):
        return f"search row of practice {self.pk}"


class PracticePartnerQuerySet(models.QuerySet):
    def in_published_practices(self):
        """Roles in published practices: the only roles the public sees."""
        return self.filter(practice__in=Practice.objects.published())

    def practices_per_organisation(self):
        """{organisation id: number of practices} over these roles.

        A role's rows, not distinct practices, are counted: an organisation is a
        partner of a practice once at most (``partner_once_per_practice``), and
        ``COUNT(*)`` is a hash aggregate where ``COUNT(DISTINCT ...)`` sorts every
        role of the organisations counted (a third of the page's time at 100,000
        practices)."""
        return dict(
            self.values("organisation")
            .annotate(n=Count("pk"))
            .values_list("organisation", "n")
        )


@reversion.register()
class PracticePartner(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        PARTNER = "partner", _("Partner")
        FUNDER = "funder", _("Funder")
        IMPLEMENTER = "implementer", _("Implementer")

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="roles"
    )
    role = models.CharField(max_length=12, choices=Role, default=Role.PARTNER)
    order = models.PositiveSmallIntegerField(default=0)

    objects = PracticePartnerQuerySet.as_manager()

    class Meta:
        # The table keeps the name it was made with, in the app the model came from.
        db_table = "partnerships_practicepartner"
        ordering = ["order", "pk"]
        verbose_name = "partner"
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "organisation"], name="partner_once_per_practice"
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()}) in {self.practice}"


class Source(models.Model):
    """A public document that backs a practice's facts."""

    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, verbose_name="URL")
    published_on = models.DateField(
        null=True, blank=True, help_text="Publication date, if the source gives one."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


@reversion.register()
class PracticeSource(Source):
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="sources"
    )

    class Meta(Source.Meta):
        verbose_name = "source"
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "url"], name="practice_source_unique_url"
            )
        ]


class LessonLearnedQuerySet(PublishableQuerySet):
    search_fields = SearchFields(a=("text",), headline_field="text")

    def _public(self):
        """Published, and drawn from no practice that is not: never public while
        any of its practices is hidden (a lesson may name them)."""
        hidden_practice = LessonPractice.objects.filter(lesson=OuterRef("pk")).exclude(
            practice__status=Status.PUBLISHED
        )
        return Q(status=Status.PUBLISHED) & ~Exists(hidden_practice)


@reversion.register(follow=("practice_links",))
class LessonLearned(Publishable):
    text = models.TextField(help_text="The lesson, in one or two sentences.")
    sector = models.ForeignKey(
        Sector,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lessons",
        help_text="Leave empty for a lesson that applies across sectors.",
    )
    practices = models.ManyToManyField(
        Practice,
        through="LessonPractice",
        blank=True,
        related_name="lessons",
        help_text=(
            "The practices the lesson was drawn from, if any. The lesson is public "
            "only while every one of them is; a practice cannot be deleted while it "
            "has lessons."
        ),
    )
    source_url = models.URLField(max_length=500, blank=True, verbose_name="source URL")
    order = models.PositiveSmallIntegerField(default=0)

    objects = LessonLearnedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "lesson learned"
        verbose_name_plural = "lessons learned"
        permissions = [
            ("publish_lessonlearned", "Can publish and archive lessons learned")
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self):
        return reverse("practices:lesson_list") + f"#lesson-{self.pk}"


@reversion.register()
class LessonPractice(models.Model):
    """A practice a lesson was drawn from."""

    lesson = models.ForeignKey(
        LessonLearned, on_delete=models.CASCADE, related_name="practice_links"
    )
    # PROTECT, not CASCADE: a lesson without a practice is public by its own status,
    # so losing its link to a deleted draft practice would publish it. Deleting the
    # practice is refused until its lessons are deleted or moved (the admin lists them).
    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="lesson_links"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "practice the lesson was drawn from"
        verbose_name_plural = "practices the lesson was drawn from"
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "practice"], name="lesson_practice_once"
            )
        ]

    def __str__(self):
        return f"{self.lesson} (drawn from {self.practice})"


# A practice's versions follow its tag links (``Practice.tagged_items``).
reversion.register(TaggedItem)
