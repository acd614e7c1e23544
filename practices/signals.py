"""Keep the full-text index of a practice in step with what it is made of."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from practices.models import Practice
from practices.search import refresh_search_vectors


@receiver(post_save, sender=Practice)
def practice_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_vectors([instance.pk])


@receiver(m2m_changed, sender=Practice.tags.through)
@receiver(m2m_changed, sender=Practice.countries.through)  # country names are searched
def practice_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(
        instance, Practice
    ):
        refresh_search_vectors([instance.pk])
