from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import Count
from taggit.models import Tag, TaggedItem

from core.admin import HttpsUrlFields, PublishableAdmin
from practices.models import (
    Audience,
    Country,
    LessonLearned,
    Organisation,
    PartnershipKind,
    Practice,
    PracticeOldSlug,
    PracticePartner,
    PracticeSource,
    Region,
    Sector,
    Stage,
)
from practices.search import refresh_search_vectors


class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


for model in (Stage, Audience, PartnershipKind):
    admin.site.register(model, TaxonomyAdmin)


@admin.register(Sector)
class SectorAdmin(TaxonomyAdmin):
    list_display = ("name", "slug", "order", "summary")


@admin.register(Region)
class RegionAdmin(TaxonomyAdmin):
    list_display = ("name", "slug", "parent", "order")
    list_filter = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "region")
    list_filter = ("region",)
    search_fields = ("name", "code")
    autocomplete_fields = ("region",)


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


class PracticePartnerInline(admin.TabularInline):
    model = PracticePartner
    extra = 1
    autocomplete_fields = ("organisation",)
    fields = ("organisation", "role", "order")


class PracticeSourceInline(HttpsUrlFields, admin.TabularInline):
    model = PracticeSource
    extra = 1
    fields = ("title", "publisher", "url", "published_on", "order")


class PracticeOldSlugInline(admin.TabularInline):
    """Addresses the practice had before: kept by saving, so read-only here."""

    model = PracticeOldSlug
    extra = 0
    fields = ("slug", "created_at")
    readonly_fields = ("slug", "created_at")
    can_delete = False
    verbose_name_plural = "old addresses (they redirect to the current one)"

    def has_add_permission(self, request, obj=None):
        return False


class TaggedItemInline(GenericTabularInline):
    """Tags with autocomplete against the existing vocabulary."""

    model = TaggedItem
    extra = 1
    autocomplete_fields = ("tag",)
    verbose_name = "tag"
    verbose_name_plural = "tags"


@admin.register(Practice)
class PracticeAdmin(PublishableAdmin):
    list_display = (
        "title",
        "status",
        "sector_names",
        "kind",
        "start_year",
        "updated_at",
    )
    list_filter = ("status", "sectors", "regions", "kind", "provenance", "updated_at")
    list_select_related = ("kind",)
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("countries", "regions", "kind")
    filter_horizontal = ("stages", "audiences")
    exclude = ("tags",)
    date_hierarchy = "updated_at"
    inlines = [
        PracticePartnerInline,
        PracticeSourceInline,
        TaggedItemInline,
        PracticeOldSlugInline,
    ]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "status",
                    "summary",
                    "description",
                    "outcomes",
                )
            },
        ),
        (
            "Where and what",
            {
                "fields": (
                    "sectors",
                    "kind",
                    "countries",
                    "regions",
                    "stages",
                    "audiences",
                )
            },
        ),
        ("Time", {"fields": ("start_year", "end_year")}),
        ("Provenance", {"fields": ("provenance", "provenance_note")}),
        (
            "Record",
            {
                "fields": ("created_at", "updated_at", "published_at"),
                "classes": ("collapse",),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sectors")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sectors":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Sectors")
    def sector_names(self, obj):
        return ", ".join(sector.name for sector in obj.sectors.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.sync_regions()
        refresh_search_vectors([form.instance.pk])


@admin.register(LessonLearned)
class LessonLearnedAdmin(PublishableAdmin):
    list_display = ("__str__", "status", "sector", "practice", "updated_at")
    list_filter = ("status", "sector")
    list_select_related = ("sector", "practice")
    search_fields = ("text",)
    autocomplete_fields = ("practice",)
    fields = (
        "text",
        "status",
        "sector",
        "practice",
        "source_url",
        "order",
        "created_at",
        "updated_at",
        "published_at",
    )


# Tags are chosen by autocomplete in the practice form, which needs a searchable admin.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "item_count")
    search_fields = ("name",)
    # taggit's Tag has no ordering; without one the autocomplete pages inconsistently.
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(items=Count("taggit_taggeditem_items"))
        )

    @admin.display(description="Tagged items", ordering="items")
    def item_count(self, obj):
        return obj.items
