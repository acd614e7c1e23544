"""A practice's search vector includes its partners' names: keep it in step."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from partnerships.models import Organisation, PracticePartner
from practices.search import refresh_search_vectors


@receiver([post_save, post_delete], sender=PracticePartner)
def partner_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_vectors([instance.practice_id])


@receiver(post_save, sender=Organisation)
def organisation_renamed(sender, instance, raw=False, created=False, **kwargs):
    if not raw and not created:
        refresh_search_vectors(
            list(instance.roles.values_list("practice_id", flat=True))
        )
