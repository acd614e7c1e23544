"""The practices' texts that editors may write in French, Spanish and Arabic too
(django-modeltranslation; core.translation says how English stays the source)."""

from modeltranslation.translator import TranslationOptions, register

from practices.models import LessonLearned, Practice, Sector


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name", "summary", "description")


@register(Practice)
class PracticeTranslation(TranslationOptions):
    fields = ("title", "summary", "description", "outcomes")


@register(LessonLearned)
class LessonTranslation(TranslationOptions):
    fields = ("text",)
