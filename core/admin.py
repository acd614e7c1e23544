"""What every editorial ModelAdmin shares: the publication workflow and its permission.

Editors (no ``publish_<model>`` permission) write drafts and send them for review;
only publishers publish, archive or touch content once it is public. This is enforced
where the admin decides (form choices, change permission, save, actions), not by hiding
buttons.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models

from core.models import SearchMiss, SearchSynonym, Status


class HttpsUrlFields:
    """A web address typed without a scheme means https (Django 6's default, today)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PublishableAdmin(HttpsUrlFields, admin.ModelAdmin):
    readonly_fields = ("created_at", "updated_at", "published_at")
    actions = ("send_for_review", "publish", "unpublish", "archive")
    show_facets = admin.ShowFacets.ALLOW
    list_per_page = 50

    def has_publish_permission(self, request, obj=None):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return self._publisher_only_once_public(request, obj, allowed)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return self._publisher_only_once_public(request, obj, allowed)

    def _publisher_only_once_public(self, request, obj, allowed):
        """Published or archived content changes only through a publisher.

        Editors still see it, read-only.
        """
        if (
            allowed
            and obj is not None
            and obj.status in Status.needing_publish_permission()
        ):
            return self.has_publish_permission(request, obj)
        return allowed

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [
                (value, label)
                for value, label in Status.choices
                if value not in Status.needing_publish_permission()
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        self.check_status_change(request, obj)
        super().save_model(request, obj, form, change)

    def check_status_change(self, request, obj):
        """Refuse a save that would publish or archive without the permission."""
        if self.has_publish_permission(request):
            return
        previous = None
        if obj.pk:
            previous = (
                type(obj)
                .objects.filter(pk=obj.pk)
                .values_list("status", flat=True)
                .first()
            )
        guarded = Status.needing_publish_permission()
        if obj.status in guarded or previous in guarded:
            raise PermissionDenied("Only publishers can publish or archive content.")

    def _set_status(self, request, queryset, status, verb):
        changed = 0
        for obj in queryset:
            if obj.status == status:
                continue
            obj.status = status
            obj.save()  # Publishable.save sets published_at on first publication.
            self.log_change(request, obj, f"{verb} through the list action.")
            changed += 1
        noun = self.opts.verbose_name if changed == 1 else self.opts.verbose_name_plural
        self.message_user(
            request, f"{changed} {noun} {verb.lower()}.", messages.SUCCESS
        )

    @admin.action(description="Send selected items for review")
    def send_for_review(self, request, queryset):
        if not self.has_publish_permission(request):
            # Editors may only move drafts, never content that is already public.
            queryset = queryset.filter(status=Status.DRAFT)
        self._set_status(request, queryset, Status.REVIEW, "Sent for review")

    @admin.action(description="Publish selected items", permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "Published")

    @admin.action(
        description="Unpublish selected items (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT, "Unpublished")

    @admin.action(description="Archive selected items", permissions=["publish"])
    def archive(self, request, queryset):
        self._set_status(request, queryset, Status.ARCHIVED, "Archived")


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ("terms", "note", "updated_at")
    search_fields = ("terms", "note")
    fields = ("terms", "note")


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    """What visitors looked for and did not find, most frequent first: content the
    portal may be missing, or a synonym worth adding. Counted, never edited."""

    list_display = ("query", "count", "last_seen_at")
    search_fields = ("query",)
    date_hierarchy = "last_seen_at"
    ordering = ("-count", "query")
    readonly_fields = ("query", "count", "last_seen_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
