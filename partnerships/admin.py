from django.contrib import admin

from core.admin import HttpsUrlFields, PublishableAdmin
from partnerships.models import ActionPoint, Insight, Meeting, MeetingSource, Strategy


class MeetingSourceInline(HttpsUrlFields, admin.TabularInline):
    model = MeetingSource
    extra = 1
    fields = ("title", "publisher", "url", "published_on", "order")


class InsightInline(admin.StackedInline):
    model = Insight
    extra = 1
    fields = ("text", "sector", "order")


class ActionPointInline(admin.StackedInline):
    model = ActionPoint
    extra = 0
    fields = ("text", "audience", "sector", "status", "order")
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Action points carry their own workflow; they are added on their own page.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(PublishableAdmin):
    list_display = (
        "short_title",
        "kind",
        "region",
        "start_date",
        "status",
        "updated_at",
    )
    list_filter = ("status", "kind", "format", "region")
    list_select_related = ("region",)
    search_fields = ("title", "short_title", "summary")
    prepopulated_fields = {"slug": ("short_title",)}
    autocomplete_fields = ("region", "organisations", "practices", "lessons")
    inlines = [InsightInline, MeetingSourceInline, ActionPointInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "short_title",
                    "slug",
                    "kind",
                    "status",
                    "summary",
                    "description",
                )
            },
        ),
        (
            "When and where",
            {
                "fields": (
                    "start_date",
                    "end_date",
                    "date_note",
                    "format",
                    "region",
                    "region_detail",
                    "host_office",
                )
            },
        ),
        (
            "Who",
            {
                "fields": (
                    "participants_count",
                    "participants_note",
                    "funder",
                    "organisations",
                )
            },
        ),
        ("What it produced", {"fields": ("practices", "lessons")}),
        (
            "Record",
            {
                "fields": ("created_at", "updated_at", "published_at"),
                "classes": ("collapse",),
            },
        ),
    )


@admin.register(ActionPoint)
class ActionPointAdmin(PublishableAdmin):
    list_display = ("__str__", "audience", "sector", "meeting", "status", "updated_at")
    list_filter = ("status", "audience", "sector", "meeting")
    list_select_related = ("audience", "sector", "meeting")
    search_fields = ("text", "derived_note", "practices__title")
    autocomplete_fields = ("meeting", "practices")
    fields = (
        "text",
        "status",
        "audience",
        "sector",
        "meeting",
        "practices",
        "derived_note",
        "source_url",
        "order",
        "created_at",
        "updated_at",
        "published_at",
    )


@admin.register(Strategy)
class StrategyAdmin(PublishableAdmin):
    list_display = ("__str__", "sector", "meeting", "status", "updated_at")
    list_filter = ("status", "sector", "audiences", "meeting")
    list_select_related = ("sector", "meeting")
    search_fields = ("text",)
    autocomplete_fields = ("meeting", "practices")
    filter_horizontal = ("audiences",)
    fields = (
        "text",
        "status",
        "sector",
        "audiences",
        "meeting",
        "practices",
        "source_url",
        "order",
        "created_at",
        "updated_at",
        "published_at",
    )
