from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from core.admin import HttpsUrlFields, PublishableAdmin, VersionedForm
from partnerships.models import ActionPoint, Insight, Meeting, MeetingSource, Strategy
from practices.admin import PracticeAdmin
from practices.models import Practice, Provenance


class MeetingSourceInline(HttpsUrlFields, admin.TabularInline):
    model = MeetingSource
    extra = 1
    fields = ("title", "publisher", "url", "published_on", "order")


class InsightInline(TranslationStackedInline):
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


class ProvenanceMeetingFormSet(BaseInlineFormSet):
    """The meetings behind a practice's provenance, held to its kind: a practice
    presented at a meeting, or whose organisation took part in one, names the
    meeting; a comparable practice documented elsewhere names none."""

    #: The kind of provenance whose meetings this relation holds.
    kind = None

    def clean(self):
        super().clean()
        named = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("meeting")
        ]
        chosen = self.instance.provenance
        if chosen == self.kind and not named:
            raise ValidationError(
                f"The provenance is “{Provenance(chosen).label}”: name the meeting."
            )
        if chosen != self.kind and named:
            raise ValidationError(
                f"Only a practice whose provenance is “{self.kind.label}” names a "
                "meeting here: remove it, or change the provenance."
            )


def _provenance_inline(relation, kind, title):
    formset = type(
        f"{kind.name.title()}MeetingFormSet",
        (ProvenanceMeetingFormSet,),
        {"kind": kind},
    )
    return type(
        f"{kind.name.title()}MeetingInline",
        (admin.TabularInline,),
        {
            "model": getattr(Meeting, relation).through,
            "formset": formset,
            "extra": 0,
            "autocomplete_fields": ("meeting",),
            "verbose_name": title,
            "verbose_name_plural": f"{title}s",
        },
    )


PresentedMeetingInline = _provenance_inline(
    "practices",
    Provenance.PRESENTED,
    "Provenance: meeting where the practice was presented or discussed",
)
OrganisationMeetingInline = _provenance_inline(
    "organisation_practices",
    Provenance.ORGANISATION,
    "Provenance: meeting an organisation behind it took part in",
)


# Meetings depend on practices, so the practice form gains its provenance meetings
# here, where both are known.
admin.site.unregister(Practice)


@admin.register(Practice)
class PracticeWithMeetingsAdmin(PracticeAdmin):
    inlines = [
        *PracticeAdmin.inlines,
        PresentedMeetingInline,
        OrganisationMeetingInline,
    ]


class MeetingAdminForm(VersionedForm):
    def clean(self):
        cleaned = super().clean()
        for relation, kind in (
            ("practices", Provenance.PRESENTED),
            ("organisation_practices", Provenance.ORGANISATION),
        ):
            wrong = [
                practice.title
                for practice in cleaned.get(relation) or []
                if practice.provenance != kind
            ]
            if wrong:
                self.add_error(
                    relation,
                    f"Their provenance is not “{kind.label}”: {', '.join(wrong)}. "
                    "Change it on the practice first.",
                )
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(TranslationAdmin, PublishableAdmin):
    form = MeetingAdminForm
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
    autocomplete_fields = (
        "region",
        "organisations",
        "practices",
        "organisation_practices",
        "lessons",
    )
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
                    "date_precision",
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
        (
            "What it produced",
            {
                "fields": (
                    "outcomes_published",
                    "practices",
                    "organisation_practices",
                    "lessons",
                )
            },
        ),
        (
            "Record",
            {
                "fields": ("created_at", "updated_at", "published_at"),
                "classes": ("collapse",),
            },
        ),
    )


@admin.register(ActionPoint)
class ActionPointAdmin(TranslationAdmin, PublishableAdmin):
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
class StrategyAdmin(TranslationAdmin, PublishableAdmin):
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
