"""What all public content shares: the publication gate, its workflow, search, and
the search's own tables (synonyms editors keep, searches that found nothing)."""

from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.search import search
from core.translation import EnglishColumnsQuerySet, EnglishSource


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")

    @classmethod
    def needing_publish_permission(cls):
        """Moving content into or out of these states is a publisher's decision."""
        return {cls.PUBLISHED, cls.ARCHIVED}


#: The order of the best matches of a search: the rank, then the key.
BEST_FIRST = ("-rank", "pk")


class ContentQuerySet(EnglishColumnsQuerySet):
    """Content the public reaches only through ``published()``.

    ``published()``, ``unpublished()`` and ``previewable_by()`` are all built from one
    condition, ``_public()``: a model says when its rows are public by overriding that,
    and only that. A model says what it is searched on with ``search_fields``.
    """

    #: What ``search()`` matches, by weight: a ``core.search.SearchFields``.
    search_fields = None

    def published(self):
        """The only door from public code to content: published rows, nothing else."""
        return self.filter(self._public())

    def unpublished(self):
        """Every row ``published()`` leaves out, and no other."""
        return self.exclude(self._public())

    def previewable_by(self, user):
        """Published rows for everyone; every row for active staff who may view this
        model in the admin (its ``view`` permission), who may preview drafts.

        Staff without that permission get exactly what the public gets.
        """
        opts = self.model._meta
        may_view = f"{opts.app_label}.{get_permission_codename('view', opts)}"
        if user.is_active and user.is_staff and user.has_perm(may_view):
            return self.all()
        return self.published()

    def search(self, query, matches=None):
        """Rows matching ``query``, ranked (``rank``), with a highlighted ``headline``
        where the database makes one (see ``core.search.search``)."""
        return search(
            self, query, self.search_fields, with_headline=True, matches=matches
        )

    def best_matches(self, query, limit):
        """The ``limit`` rows that match ``query`` best (``BEST_FIRST``), as the
        site search shows each kind of content."""
        return self.search(query).order_by(*BEST_FIRST)[:limit]

    def _public(self):
        """The condition a public row meets, as a ``Q``. Override this.

        It must be true or false for every row, never unknown (NULL), or
        ``unpublished()`` would miss the rows where it is unknown.
        """
        raise NotImplementedError


class PublishableQuerySet(ContentQuerySet):
    """Content with a workflow of its own: public once published."""

    #: A foreign key to publishable content this content hangs off (a meeting, say):
    #: when it is set, the content is public only while that content is too.
    published_with = None

    def _public(self):
        public = Q(status=Status.PUBLISHED)
        if self.published_with:
            parent = self.published_with
            public &= Q(**{f"{parent}__isnull": True}) | Q(
                **{f"{parent}__status": Status.PUBLISHED}
            )
        return public


class Publishable(EnglishSource):
    status = models.CharField(
        max_length=12,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
        help_text=(
            "Only published items are visible to the public. Editors save drafts and "
            "send them for review; a publisher publishes or archives them."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set automatically the first time the item is published.",
    )
    # Optimistic concurrency: every save of the row (the admin saves it with any change
    # to its inlines too) adds one, so a form carrying an older number is stale.
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            # Read under a row lock, so that two saves from the same stale copy
            # still leave two different numbers.
            current = (
                type(self)
                ._base_manager.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
                if self.pk is not None and not self._state.adding
                else None
            )
            self.version = (current or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED


def public_rows(model, path):
    """The published keys of the model that ``path`` leads to from ``model``."""
    for part in path.split("__"):
        model = model._meta.get_field(part).related_model
    return model._default_manager.published().values("pk")


class ContentVersion(models.Model):
    """One row whose number changes with every change to public content.

    Kept in the database, not in a cache, so that every process (each gunicorn
    worker, each server) reads the same number: cached facet counts and ETags carry
    it, and a publish in one process is seen by all the others at their next request.
    ``core.listing.cache`` reads and bumps it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    version = models.PositiveBigIntegerField(default=1)
    # The version this one replaced, set by the same UPDATE: what the bump writes
    # into its ContentChange, so that a change log can be followed back unbroken.
    previous = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1), name="core_contentversion_single_row"
            )
        ]

    def __str__(self):
        return f"Content version {self.version}"


class ContentChange(models.Model):
    """What one bump of the content version changed, written in the same
    transaction as the bump: the rows an in-process index re-reads to catch up
    (``core.listing.index``) instead of reading everything again.

    ``changes`` lists ``[changed model, model pointed at, its primary key]``: a
    saved or deleted row names itself and each row its foreign keys point to, a
    many-to-many change names the rows on both sides of each link. None when the
    bump does not say what changed (a ``QuerySet.update()``, raw SQL): whoever
    follows the log reads everything again. Each row names the version it follows
    (``previous``), so a gap (a bump without a row, a rolled-back one) shows.
    Rows older than a day are dropped by the bump.
    """

    version = models.PositiveBigIntegerField(primary_key=True)
    previous = models.PositiveBigIntegerField()
    changes = models.JSONField(null=True)

    class Meta:
        ordering = ["version"]

    def __str__(self):
        return f"Content change {self.version}"


class LoadedRow(models.Model):
    """What ``load_reference`` last wrote to one row of reference content.

    The loader compares a row's current values with these: a row that differs was
    edited since it was loaded, and the loader leaves it alone unless told to
    ``--overwrite``. ``model`` and ``key`` name the row as the fixtures do (a model
    label and a natural key), so this library needs to know no app.
    """

    model = models.CharField(max_length=100, help_text="Model label, app.model.")
    key = models.TextField(help_text="Natural key in the fixtures (slug, code, text).")
    object_id = models.PositiveBigIntegerField(
        help_text="The row it wrote, found again even when an editor changed its key."
    )
    values = models.JSONField(
        help_text="The values it wrote, as the fixtures spell them."
    )
    fixture_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the fixture row it was loaded from."
    )
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model", "key"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="loaded_row_once")
        ]

    def __str__(self):
        return f"{self.model} {self.key[:60]}"


class SearchSynonym(models.Model):
    """Words and acronyms that mean the same to the people who search: a search for
    any of them finds what any of them finds."""

    terms = models.CharField(
        max_length=300,
        unique=True,
        help_text=(
            "Two or more words, phrases or acronyms that mean the same, separated by "
            "commas, e.g. “FIU, financial intelligence unit”. A search for any of "
            "them finds every practice, action point, lesson or meeting that uses "
            "one. Case and accents do not matter; a searcher who puts a term in "
            "quotes gets that spelling only."
        ),
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="Why these belong together (optional)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = "search synonym"

    def __str__(self):
        return self.terms

    def save(self, *args, **kwargs):
        self.terms = ", ".join(self.term_list())
        super().save(*args, **kwargs)

    def clean(self):
        if len(self.term_list()) < 2:
            raise ValidationError(
                {"terms": "Give at least two terms, separated by commas."}
            )

    def term_list(self):
        """The terms, trimmed, each once, in the order given."""
        terms = (" ".join(term.split()) for term in self.terms.split(","))
        return tuple(dict.fromkeys(term for term in terms if term))


def forget_synonyms(*args, **kwargs):
    """Searches read the synonyms afresh, and cached facet counts, which a synonym
    can change, are dropped (on every save or delete, core.apps)."""
    from core.listing.cache import bump_content_version

    bump_content_version(kwargs.get("using") or "default")


class SearchMiss(models.Model):
    """A search that found nothing, by its words only: never who searched or from
    where. Counted by ``core.search.record_miss``."""

    query = models.CharField(
        max_length=200, unique=True, help_text="The words searched for, folded."
    )
    count = models.PositiveIntegerField(
        default=0, help_text="How many searches for these words found nothing."
    )
    last_seen_at = models.DateTimeField(help_text="When it last happened.")

    class Meta:
        ordering = ["-count", "query"]
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"
        indexes = [models.Index(fields=["-count", "query"], name="searchmiss_count")]

    def __str__(self):
        return self.query
