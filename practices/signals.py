"""Keep the full-text index of a practice in step with what it is made of.

A practice's search vector holds its own texts and the names of its tags, countries and
partners (see practices.search); partners are looked after in partnerships.signals.
"""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from taggit.models import Tag

from practices.models import Country, Practice
from practices.search import refresh_search_vectors


@receiver(post_save, sender=Practice)
def practice_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_vectors([instance.pk])


@receiver(m2m_changed, sender=Practice.tags.through)
@receiver(m2m_changed, sender=Practice.countries.through)
def searched_names_changed(sender, instance, action, pk_set, **kwargs):
    """Tags or countries added to or taken from practices, from either side."""
    if isinstance(instance, Practice):
        if action in {"post_add", "post_remove", "post_clear"}:
            refresh_search_vectors([instance.pk])
        return
    if not isinstance(instance, Country):
        return
    # From the country's side: pk_set holds practices, except for a clear, which
    # names none, so the practices are read before it.
    if action == "pre_clear":
        instance._practices_before_clear = list(
            instance.practices.values_list("pk", flat=True)
        )
    elif action == "post_clear":
        refresh_search_vectors(instance.__dict__.pop("_practices_before_clear", []))
    elif action in {"post_add", "post_remove"}:
        refresh_search_vectors(pk_set or [])


@receiver(post_save, sender=Country)
def country_renamed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        refresh_search_vectors(list(instance.practices.values_list("pk", flat=True)))


@receiver(post_save, sender=Tag)
def tag_renamed(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    refresh_search_vectors(
        list(Practice.objects.filter(tags=instance).values_list("pk", flat=True))
    )
