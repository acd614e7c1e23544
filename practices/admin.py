from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db.models import Count, Q
from modeltranslation.admin import TranslationAdmin
from taggit.models import Tag, TaggedItem

from core.admin import (
    HttpsUrlFields,
    ItemVersionAdmin,
    PublicOnceUsedAdmin,
    PublishableAdmin,
)
from core.models import Status
from practices.models import (
    Audience,
    Country,
    LessonLearned,
    LessonPractice,
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


class PublicOncePublishedAdmin(PublicOnceUsedAdmin, admin.ModelAdmin):
    """Changing a term or an organisation that published content shows is a
    publisher's decision (see ``core.admin.PublicOnceUsedAdmin``)."""

    publish_permission = "practices.publish_practice"


def _in_published_practices(model, field="practices"):
    """The rows of ``model`` that published practices use through ``field``."""
    return model.objects.filter(**{f"{field}__in": Practice.objects.published()})


class TaxonomyAdmin(PublicOncePublishedAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def public_rows(self):
        return _in_published_practices(self.model)


admin.site.register(Stage, TaxonomyAdmin)
admin.site.register(PartnershipKind, TaxonomyAdmin)


@admin.register(Audience)
class AudienceAdmin(TaxonomyAdmin):
    def public_rows(self):
        # Action points belong to an app that depends on this one: reached by their
        # reverse relation, public by their status (their meeting aside: stricter).
        return Audience.objects.filter(
            Q(pk__in=_in_published_practices(Audience).values("pk"))
            | Q(action_points__status=Status.PUBLISHED)
        ).distinct()


@admin.register(Sector)
class SectorAdmin(TranslationAdmin, TaxonomyAdmin):
    list_display = ("name", "slug", "order", "summary")

    def public_rows(self):
        # Every sector has its public page, used or not.
        return Sector.objects.all()


@admin.register(Region)
class RegionAdmin(TaxonomyAdmin):
    list_display = ("name", "slug", "parent", "order")
    list_filter = ("parent",)
    autocomplete_fields = ("parent",)

    def public_rows(self):
        """Regions of published practices (with their wider regions, which
        ``sync_regions`` adds), of published meetings, and of public countries."""
        return Region.objects.filter(
            Q(pk__in=_in_published_practices(Region).values("pk"))
            | Q(meetings__status=Status.PUBLISHED)
            | Q(pk__in=CountryAdmin.public_countries().values("region"))
        ).distinct()


@admin.register(Country)
class CountryAdmin(PublicOncePublishedAdmin):
    list_display = ("name", "code", "region")
    list_filter = ("region",)
    search_fields = ("name", "code")
    autocomplete_fields = ("region",)

    @staticmethod
    def public_countries():
        """Countries of published practices and of public organisations."""
        return Country.objects.filter(
            Q(pk__in=_in_published_practices(Country).values("pk"))
            | Q(pk__in=Organisation.objects.published().values("country"))
        )

    def public_rows(self):
        return self.public_countries()


@admin.register(Organisation)
class OrganisationAdmin(HttpsUrlFields, PublicOncePublishedAdmin, ItemVersionAdmin):
    """Organisations have no workflow of their own: one named by published content is
    changed or deleted only by a publisher. Every save is kept as a version."""

    list_display = ("name", "type", "country", "website")
    list_filter = ("type", "country__region")
    list_select_related = ("country",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("country",)
    show_facets = admin.ShowFacets.ALLOW

    def public_rows(self):
        return Organisation.objects.published()


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
class PracticeAdmin(TranslationAdmin, PublishableAdmin):
    list_display = (
        "title",
        "status",
        "sector_names",
        "kind",
        "start_year",
        "updated_at",
    )
    list_filter = (
        "status",
        "sectors",
        "regions",
        "kind",
        "provenance",
        "maturity",
        "updated_at",
    )
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
        (
            "Provenance",
            {
                "fields": ("provenance", "provenance_source_url", "provenance_note"),
                "description": (
                    "For a practice presented at a UNODC meeting, or whose "
                    "organisation took part in one, name the meeting at the foot "
                    "of this page."
                ),
            },
        ),
        ("Maturity and evidence", {"fields": ("maturity", "maturity_source_url")}),
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


class LessonPracticeInline(admin.TabularInline):
    model = LessonPractice
    extra = 1
    fields = ("practice", "order")
    autocomplete_fields = ("practice",)


@admin.register(LessonLearned)
class LessonLearnedAdmin(TranslationAdmin, PublishableAdmin):
    list_display = ("__str__", "status", "sector", "updated_at")
    list_filter = ("status", "sector")
    list_select_related = ("sector",)
    search_fields = ("text",)
    inlines = [LessonPracticeInline]
    fields = (
        "text",
        "status",
        "sector",
        "source_url",
        "order",
        "created_at",
        "updated_at",
        "published_at",
    )


# Tags are chosen by autocomplete in the practice form, which needs a searchable admin.
admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(PublicOncePublishedAdmin):
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

    def public_rows(self):
        return Practice.objects.published().tags()

    @admin.display(description="Tagged items", ordering="items")
    def item_count(self, obj):
        return obj.items
