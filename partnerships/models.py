import reversion
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from core.models import ContentQuerySet, Publishable, PublishableQuerySet
from core.search import SearchFields
from core.translation import EnglishSource
from practices.models import (
    Audience,
    LessonLearned,
    Organisation,
    Practice,
    Region,
    Sector,
    Source,
)


class MeetingQuerySet(PublishableQuerySet):
    search_fields = SearchFields(
        a=("title", "short_title"),
        b=("summary",),
        c=("description",),
        headline_field="summary",
    )


# Not its action points: they have a workflow of their own, and a meeting restored
# to an old version must not bring their old states back.
@reversion.register(follow=("insights", "sources"))
class Meeting(Publishable):
    class Kind(models.TextChoices):
        REGM = "regm", _("Regional Expert Group Meeting")
        CONSULTATION = "consultation", _("Consultation")
        SIDE_EVENT = "side_event", _("Side event")

    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid")

    class DatePrecision(models.TextChoices):
        """How much of the start date is known; the rest of ``start_date`` is
        only there to sort by (the first day of the month or year)."""

        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

        @property
        def date_format(self):
            return {self.DAY: "j F Y", self.MONTH: "F Y", self.YEAR: "Y"}[self]

        @property
        def iso_length(self):
            """How many characters of YYYY-MM-DD are known."""
            return {self.DAY: 10, self.MONTH: 7, self.YEAR: 4}[self]

    title = models.CharField(max_length=300)
    short_title = models.CharField(
        max_length=120, help_text="Used in lists and breadcrumbs, e.g. “Africa REGM”."
    )
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.REGM)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    region_detail = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "The area covered, in words, "
            "e.g. “Mexico, Central America and the Caribbean”."
        ),
    )
    start_date = models.DateField(
        null=True,
        blank=True,
        help_text=(
            "Leave empty if no date was published. When only the month or the year "
            "is known, give its first day and set the precision."
        ),
    )
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision,
        default=DatePrecision.DAY,
        help_text="How much of the start date is known: day, month or year.",
    )
    end_date = models.DateField(null=True, blank=True)
    date_note = models.CharField(
        max_length=200,
        blank=True,
        help_text=(
            "How the date is known, when no source gives it outright, e.g. “The week "
            "before UNODC's news item of 28 August 2020.”"
        ),
    )
    outcomes_published = models.BooleanField(
        default=True,
        help_text=(
            "Untick when no report of the meeting's outcomes was ever published (only "
            "an announcement, say); its page then says so."
        ),
    )
    format = models.CharField(max_length=12, choices=Format, blank=True)
    host_office = models.CharField(max_length=300, blank=True)
    participants_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Leave empty if no count was published. Use the lower bound of “over N”."
        ),
    )
    participants_note = models.CharField(max_length=200, blank=True)
    summary = models.TextField(max_length=800)
    description = models.TextField(blank=True)
    funder = models.CharField(max_length=200, blank=True)
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="meetings",
        help_text="Organisations that took part (organisations only, never people).",
    )
    practices = models.ManyToManyField(
        Practice,
        blank=True,
        related_name="meetings",
        help_text=(
            "Practices presented or discussed at the meeting (the practice itself). "
            "Their provenance must say so."
        ),
    )
    organisation_practices = models.ManyToManyField(
        Practice,
        blank=True,
        related_name="organisation_meetings",
        verbose_name="practices whose organisation took part",
        help_text=(
            "Practices not presented themselves, but an organisation behind them took "
            "part in the meeting. Their provenance must say so."
        ),
    )
    lessons = models.ManyToManyField(
        LessonLearned,
        blank=True,
        related_name="meetings",
        help_text="Lessons learned that came out of the meeting.",
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "title"]
        permissions = [("publish_meeting", "Can publish and archive meetings")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="meeting_end_not_before_start",
            ),
            # An end date is only known to the day.
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(date_precision="day"),
                name="meeting_end_date_only_with_day",
            ),
        ]

    def __str__(self):
        return self.short_title or self.title

    def get_absolute_url(self):
        return reverse("partnerships:meeting_detail", kwargs={"slug": self.slug})

    @property
    def date_display(self):
        """The dates as far as they are known: "9–10 December 2020", "August 2020",
        or "Date not published"."""
        if self.start_date is None:
            return "Date not published"
        precision = self.DatePrecision(self.date_precision)
        start = date_format(self.start_date, precision.date_format)
        end = self.end_date
        if precision != self.DatePrecision.DAY or end is None or end == self.start_date:
            return start
        if (end.year, end.month) == (self.start_date.year, self.start_date.month):
            return f"{self.start_date.day}–{date_format(end, 'j F Y')}"
        return f"{date_format(self.start_date, 'j F')} – {date_format(end, 'j F Y')}"

    @property
    def start_date_known(self):
        """The start date as far as it is known, in ISO form: "2020-08"."""
        if self.start_date is None:
            return None
        length = self.DatePrecision(self.date_precision).iso_length
        return self.start_date.isoformat()[:length]


@reversion.register()
class MeetingSource(Source):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="sources"
    )

    class Meta(Source.Meta):
        verbose_name = "source"
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "url"], name="meeting_source_unique_url"
            )
        ]


class InsightQuerySet(ContentQuerySet):
    search_fields = SearchFields(a=("text",), headline_field="text")

    def _public(self):
        """Public exactly when its meeting is: an insight has no workflow of its own."""
        return Q(meeting__in=Meeting.objects.published())


@reversion.register()
class Insight(EnglishSource):
    """A finding of a meeting; public exactly when its meeting is."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="insights"
    )
    sector = models.ForeignKey(
        Sector,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="insights",
        help_text="Leave empty for an insight that applies across sectors.",
    )
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    objects = InsightQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self):
        return f"{self.meeting.get_absolute_url()}#insight-{self.pk}"


class ActionPointQuerySet(PublishableQuerySet):
    search_fields = SearchFields(
        a=("text",), b=("derived_note",), headline_field="text"
    )
    # Never public while its meeting is not.
    published_with = "meeting"

    def with_published_practices(self):
        """Prefetch the practices each point draws on, as the public may see them.

        A point stays public by its own status (and its meeting's); a practice it
        links to that is not published is left out, never shown.
        """
        return self.prefetch_related(
            Prefetch(
                "practices",
                queryset=Practice.objects.published().order_by("title", "pk"),
            )
        )


@reversion.register()
class ActionPoint(Publishable):
    text = models.TextField(help_text="What the audience should do, as an instruction.")
    audience = models.ForeignKey(
        Audience, on_delete=models.PROTECT, related_name="action_points"
    )
    sector = models.ForeignKey(
        Sector,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_points",
        help_text="Leave empty for an action point that applies across sectors.",
    )
    # PROTECT, not SET_NULL: an action point without a meeting is public by its own
    # status, so detaching it from a deleted draft meeting would publish it. Deleting
    # the meeting is refused until its action points are deleted or moved.
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_points",
        help_text=(
            "The meeting it came out of, if any. The action point is public only "
            "while that meeting is; the meeting cannot be deleted while it has "
            "action points."
        ),
    )
    practices = models.ManyToManyField(
        Practice,
        blank=True,
        related_name="action_points",
        help_text=(
            "The practices in the portal it draws on. A draft practice is never "
            "shown with it until that practice is published."
        ),
    )
    derived_note = models.TextField(
        blank=True,
        verbose_name="also drawn from",
        help_text=(
            "What else it draws on that is not a practice in the portal, e.g. "
            "“US Trafficking in Persons Report recommendations”. Name practices "
            "above instead of here."
        ),
    )
    source_url = models.URLField(max_length=500, blank=True, verbose_name="source URL")
    order = models.PositiveSmallIntegerField(default=0)

    objects = ActionPointQuerySet.as_manager()

    class Meta:
        ordering = ["audience__order", "order", "pk"]
        permissions = [("publish_actionpoint", "Can publish and archive action points")]
        indexes = [
            models.Index(fields=["status", "order"], name="actionpoint_status_order")
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self):
        return reverse("partnerships:action_point_list") + f"#action-{self.pk}"


class StrategyQuerySet(PublishableQuerySet):
    search_fields = SearchFields(a=("text",), headline_field="text")
    # Never public while its meeting is not.
    published_with = "meeting"

    def for_display(self):
        """These rows with what a strategy's card shows (the include
        ``partnerships/includes/strategy_items.html``): its sector, meeting and
        audiences, and only its published practices."""
        return self.select_related("sector", "meeting").prefetch_related(
            "audiences",
            models.Prefetch("practices", queryset=Practice.objects.published()),
        )


@reversion.register()
class Strategy(Publishable):
    """A recommended strategy: what a meeting or consultation recommended, as a
    recommendation to whoever builds a partnership."""

    text = models.TextField(help_text="The strategy, written as a recommendation.")
    sector = models.ForeignKey(
        Sector,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategies",
        help_text="Leave empty for a strategy that applies across sectors.",
    )
    audiences = models.ManyToManyField(
        Audience,
        blank=True,
        related_name="strategies",
        help_text="Who it is for. Leave empty when the source does not say.",
    )
    # PROTECT, as for action points: a strategy without a meeting is public by its
    # own status, so detaching it from a deleted draft meeting would publish it.
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategies",
        help_text=(
            "The meeting or consultation that recorded it, if any. The strategy is "
            "public only while that meeting is; the meeting cannot be deleted while "
            "it has strategies."
        ),
    )
    practices = models.ManyToManyField(
        Practice,
        blank=True,
        related_name="strategies",
        help_text=(
            "Practices that illustrate it. Only published practices are shown to the "
            "public."
        ),
    )
    source_url = models.URLField(
        max_length=500,
        blank=True,
        verbose_name="source URL",
        help_text="Where the recommendation is recorded.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "recommended strategy"
        verbose_name_plural = "recommended strategies"
        permissions = [("publish_strategy", "Can publish and archive strategies")]
        indexes = [
            models.Index(fields=["status", "order"], name="strategy_status_order")
        ]

    def __str__(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def get_absolute_url(self):
        return reverse("partnerships:strategy_list") + f"#strategy-{self.pk}"
