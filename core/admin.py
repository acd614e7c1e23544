"""What every editorial ModelAdmin shares: the publication workflow and its permission.

Editors (no ``publish_<model>`` permission) write drafts and send them for review;
only publishers publish, archive or touch content once it is public. This is enforced
where the admin decides (form choices, change permission, save, actions), not by hiding
buttons.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import connections, models, router
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from reversion.admin import VersionAdmin
from reversion.models import Version

from core import history
from core.models import SearchMiss, SearchSynonym, Status
from core.translation import english_columns


class HttpsUrlFields:
    """A web address typed without a scheme means https (Django 6's default, today)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PublicOnceUsedAdmin:
    """What public content shows changes only through a publisher.

    For rows with no workflow of their own (taxonomy terms, countries, tags,
    organisations): they are public while public content uses them, so a rename would
    be published at once. Editors may add them, and change or delete those that nothing
    public uses yet; once public, they see them read-only.

    Subclasses set ``publish_permission`` (the permission that makes a publisher) and
    override ``public_rows()``.
    """

    publish_permission = None

    def public_rows(self):
        """The rows public content uses now, as a queryset of this model. Override."""
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self._publisher_or_not_public(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self._publisher_or_not_public(request, obj)

    def _publisher_or_not_public(self, request, obj):
        if obj is None or request.user.has_perm(self.publish_permission):
            return True
        return not self.public_rows().filter(pk=obj.pk).exists()


class VersionedForm(forms.ModelForm):
    """Refuses a save made from a stale form: one opened before the item (or any of
    its inlines, saved with it) was last saved.

    The form carries the version it was opened at; the refusal names what changed
    since, now against the editor's values, and keeps every value the editor typed.
    The stale number is then moved on, so saving again is a deliberate overwrite.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    #: The item's snapshot before a revert laid an old version over it (set per
    #: request by the admin); what "now" means in the refusal of a stale revert.
    live_snapshot = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        rows = model._base_manager.filter(pk=self.instance.pk)
        using = router.db_for_write(model)
        if connections[using].in_atomic_block:
            # Held until the save commits: a second save racing this one waits and
            # then finds the new number.
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        seen = cleaned.get("seen_version")
        if current is None or seen == current:
            return cleaned
        self.data = self.data.copy()
        self.data[self.add_prefix("seen_version")] = current
        raise ValidationError(mark_safe(self._stale_message(seen)), code="stale")

    def _stale_message(self, seen):
        now_obj = type(self.instance)._base_manager.get(pk=self.instance.pk)
        now = self.live_snapshot or history.snapshot(now_obj)
        base = history.version_numbered(now_obj, seen) if seen is not None else None
        yours = self._your_values()
        if base is not None:
            changed = history.changes(history.snapshot_of_version(base), now)
        else:
            # No version of what the editor opened: show where the two disagree.
            changed = history.changes(yours, {k: now[k] for k in yours if k in now})
        rows = [
            {
                "label": change.label,
                "now": change.after,
                "yours": yours.get(change.label),
                "lines": list(change.lines),
            }
            for change in changed
        ]
        return render_to_string(
            "admin/includes/stale_form.html",
            {"rows": rows, "known_base": base is not None},
        )

    def _your_values(self):
        values = {}
        model = type(self.instance)
        english = english_columns(model)
        for name, value in self.cleaned_data.items():
            # The English field is shown as its original (core.history).
            name = english.get(name, name)
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a form-only field, such as seen_version
                continue
            if isinstance(field, models.ManyToManyField):
                value = [o.pk for o in value or []]
            elif field.is_relation and value is not None:
                value = value.pk
            values[history.label(field)] = history.text(field, value)
        return values


class ItemVersionAdmin(VersionAdmin):
    """django-reversion's admin, restoring one item at a time.

    Every save is kept as a version; the history lists them with a "Changes" page
    each (``core.history``), and only those who may change the item may restore it.
    A restore puts back the item and its own children, never the other items that
    shared its revision (a load of the reference content or a bulk action saves
    many at once). ``restored()`` says what else a restore does.
    """

    object_history_template = "admin/history_versions.html"
    history_latest_first = True

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:version_id>/changes/",
                self.admin_site.admin_view(self.version_changes_view),
                name="{}_{}_version_changes".format(*info),
            ),
            *super().get_urls(),
        ]

    def version_changes_view(self, request, object_id, version_id):
        """What one version changed from the one before it, field by field."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        version = get_object_or_404(
            history.versions_of(self.model, object_id), pk=version_id
        )
        previous = (
            history.versions_of(self.model, object_id).filter(pk__lt=version.pk).first()
        )
        before = history.snapshot_of_version(previous) if previous else {}
        obj = self.model._base_manager.filter(pk=object_id).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Changes in {version.object_repr}",
            "object": obj,
            "version": version,
            "previous": previous,
            "changes": history.changes(before, history.snapshot_of_version(version)),
            "revert_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_"
                f"{self.opts.model_name}_revision",
                args=(quote(object_id), version.pk),
            ),
            "can_restore": obj is not None and self.has_change_permission(request, obj),
        }
        return TemplateResponse(request, "admin/history_changes.html", context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {
            "can_restore": obj is not None and self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra)

    def delete_model(self, request, obj):
        # What "Recover deleted" brings back is the newest version: make sure there
        # is one of the item as it is now, whoever or whatever saved it last.
        history.keep_baseline(obj, "As it was when deleted.")
        super().delete_model(request, obj)

    def changelist_view(self, request, extra_context=None):
        if request.POST.get("action") == "delete_selected" and request.POST.get("post"):
            # VersionAdmin runs the list in one revision, which drops the versions of
            # items deleted within it: the versions kept on deletion need their own.
            return super(VersionAdmin, self).changelist_view(request, extra_context)
        return super().changelist_view(request, extra_context)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            history.keep_baseline(obj, "As it was when deleted.")
        super().delete_queryset(request, queryset)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Revert to a version: only for those who may change the item now."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        # A version of this model's item, not of another model's with the same key.
        get_object_or_404(history.versions_of(self.model, obj.pk), pk=version_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST":
            request._live_snapshot = history.snapshot(obj)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        """Recover a deleted item."""
        get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        return super().recover_view(request, version_id, extra_context)

    def restored(self, version, live):
        """Called inside the restore, after the item was put back as ``version``
        held it; ``live`` is the item's row before (None for a recovery). Override
        this to change what a restore brings back."""

    def _reversion_revisionform_view(self, request, version, *args, **kwargs):
        # django-reversion reverts the whole revision the version belongs to, then
        # shows the normal change form over the result (rolled back unless saved):
        # revert this item and its own children instead. (Checked against
        # django-reversion 6.4, pinned below 6.5 for this reason.)
        live = self.model._base_manager.filter(pk=version.object_id).first()

        def revert_this_item(delete=False):
            history.revert_item(version)
            self.restored(version, live)

        version.revision.revert = revert_this_item
        return super()._reversion_revisionform_view(request, version, *args, **kwargs)


class PublishableAdmin(HttpsUrlFields, ItemVersionAdmin):
    """Also keeps every save as a version that editors can read and restore
    (``ItemVersionAdmin``), and refuses stale forms (``VersionedForm``).

    Restoring never publishes: a reverted or recovered item comes back as a draft,
    whatever the version held, until a publisher publishes it (a publisher may choose
    "Published" in the restore form itself). Editors may restore only what they may
    change, so never published content.
    """

    form = VersionedForm
    change_form_template = "admin/versioned_change_form.html"
    revision_form_template = "admin/history_revert_form.html"
    recover_form_template = "admin/history_recover_form.html"
    # A refused delete (PROTECT: children that would become public on their own) says
    # why nothing was deleted and what to do, on the page and in the bulk action.
    delete_confirmation_template = "admin/core/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/core/delete_selected_confirmation.html"
    )
    readonly_fields = ("created_at", "updated_at", "published_at")
    actions = ("send_for_review", "publish", "unpublish", "archive")
    show_facets = admin.ShowFacets.ALLOW
    list_per_page = 50

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.live_snapshot = getattr(request, "_live_snapshot", None)
        return form

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.has_change_permission(request, obj):
                # What the editor opens, to compare with what is saved meanwhile.
                history.keep_baseline(obj)
        return super().change_view(request, object_id, form_url, extra_context)

    def restored(self, version, live):
        # A draft, keeping the live version number: the restore form is then
        # checked for staleness against the item as it is, like any other form.
        self.model._base_manager.filter(pk=version.object_id).update(
            status=Status.DRAFT,
            version=F("version") if live is None else live.version,
        )

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
