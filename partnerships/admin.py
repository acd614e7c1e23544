from django.contrib import admin

from compendium.admin import HttpsUrlFields, PublishableAdmin
from partnerships.models import (
    ActionPoint,
    Insight,
    Meeting,
    MeetingSource,
    Organisation,
    PracticePartner,
)
from practices.admin import PracticeAdmin
from practices.models import Practice


class PracticePartnerInline(admin.TabularInline):
    model = PracticePartner
    extra = 1
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "role", "order")


class PracticeWithPartnersAdmin(PracticeAdmin):
    inlines = [PracticePartnerInline, *PracticeAdmin.inlines]


admin.site.unregister(Practice)
admin.site.register(Practice, PracticeWithPartnersAdmin)


@admin.register(Organisation)
class OrganisationAdmin(HttpsUrlFields, admin.ModelAdmin):
    list_display = ("name", "type", "country", "website")
    list_filter = ("type", "country__region")
    list_select_related = ("country",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("country",)
    show_facets = admin.ShowFacets.ALLOW

    def has_change_permission(self, request, obj=None):
        """An organisation named by public content changes only through a publisher.

        Organisations have no workflow of their own; renaming one that published
        practices show would publish the change, which is a publisher's decision.
        """
        allowed = super().has_change_permission(request, obj)
        if (
            allowed
            and obj is not None
            and not request.user.has_perm("practices.publish_practice")
        ):
            return not Organisation.objects.published().filter(pk=obj.pk).exists()
        return allowed

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(
            request, obj
        ) and super().has_delete_permission(request, obj)


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
    search_fields = ("text", "derived_from")
    autocomplete_fields = ("meeting",)
    fields = (
        "text",
        "status",
        "audience",
        "sector",
        "meeting",
        "derived_from",
        "source_url",
        "order",
        "created_at",
        "updated_at",
        "published_at",
    )
