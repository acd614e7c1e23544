"""The meetings' texts that editors may write in French, Spanish and Arabic too
(django-modeltranslation; core.translation says how English stays the source)."""

from modeltranslation.translator import TranslationOptions, register

from partnerships.models import ActionPoint, Insight, Meeting, Strategy


@register(Meeting)
class MeetingTranslation(TranslationOptions):
    fields = ("title", "short_title", "summary", "description")


@register(Insight)
class InsightTranslation(TranslationOptions):
    fields = ("text",)


@register(ActionPoint)
class ActionPointTranslation(TranslationOptions):
    fields = ("text",)


@register(Strategy)
class StrategyTranslation(TranslationOptions):
    fields = ("text",)
