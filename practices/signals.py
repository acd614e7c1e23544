"""Keep the full-text index of a practice in step with what it is made of.

A practice's search vector holds its own texts and the names of its tags, countries and
partners (``PracticeQuerySet.search_fields``): every way one of those changes, from
either side of its relation, reaches ``refresh_search_vectors`` from here.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag

from practices.models import Country, Organisation, Practice, PracticePartner
from practices.search import refresh_search_vectors

#: The models a practice's vector reads names from, and how a practice reaches each.
NAMES = {
    Organisation: "partners__organisation",
    Country: "countries",
    Tag: "tags",
}


def _practices_naming(instance):
    lookup = NAMES[type(instance)]
    return list(
        Practice.objects.filter(**{lookup: instance}).values_list("pk", flat=True)
    )


@receiver(post_save, sender=Practice)
def practice_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_vectors([instance.pk])


@receiver(post_delete, sender=Practice)
def practice_deleted(sender, instance, **kwargs):
    # The SQLite index keeps a row per practice (a vector goes with its row).
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


@receiver([post_save, post_delete], sender=PracticePartner)
def partner_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_vectors([instance.practice_id])


@receiver(post_save, sender=Organisation)
@receiver(post_save, sender=Country)
@receiver(post_save, sender=Tag)
def name_changed(sender, instance, raw=False, created=False, **kwargs):
    # A new organisation, country or tag is named by no practice yet.
    if not raw and not created:
        refresh_search_vectors(_practices_naming(instance))


# An organisation that a practice names cannot be deleted (its roles protect it).
@receiver(pre_delete, sender=Country)
@receiver(pre_delete, sender=Tag)
def name_deleting(sender, instance, **kwargs):
    # Its links are deleted with it, so the practices that named it are read first.
    instance._practices_before_delete = _practices_naming(instance)


@receiver(post_delete, sender=Country)
@receiver(post_delete, sender=Tag)
def name_deleted(sender, instance, **kwargs):
    refresh_search_vectors(instance.__dict__.pop("_practices_before_delete", []))
