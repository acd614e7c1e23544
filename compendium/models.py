"""The publication workflow shared by every kind of editorial content."""

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"

    @classmethod
    def needing_publish_permission(cls):
        """Moving content into or out of these states is a publisher's decision."""
        return {cls.PUBLISHED, cls.ARCHIVED}


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """The only door from public code to content: published rows, nothing else."""
        return self.filter(status=Status.PUBLISHED)

    def unpublished(self):
        """Every row ``published()`` leaves out, and no other.

        A queryset that narrows ``published()`` must widen this to match (the tests
        check the two split every model's rows).
        """
        return self.exclude(status=Status.PUBLISHED)

    def previewable_by(self, user):
        """Published rows for everyone; every row for staff, who may preview drafts."""
        if user.is_active and user.is_staff:
            return self.all()
        return self.published()


class Publishable(models.Model):
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

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED
