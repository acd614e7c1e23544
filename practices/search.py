"""Keeping a practice's stored search vector current (PostgreSQL).

The vector holds what ``PracticeQuerySet.search_fields`` name, weighted as a search
without a stored vector would weigh them, and the rank vector its A and B part (what
the rank reads); practices.signals calls ``refresh_search_vectors`` whenever one of
those texts or names changes.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import F, ForeignObjectRel, OuterRef, Subquery

from core.listing.cache import bump_content_version
from core.lookups import among
from core.search import SearchFields, uses_postgres, weighted_vector
from practices.models import Practice, PracticeQuerySet


def refresh_search_vectors(pks=None):
    """Rebuild the stored vector of the given practices (all when ``pks`` is None).

    One set-based UPDATE, so loading fixtures or a 100,000-row benchmark costs one
    statement, and saving one practice costs one small one.
    """
    if not uses_postgres():
        return
    practices = Practice.objects.all()
    if pks is not None:
        pks = [pk for pk in pks if pk is not None]
        if not pks:
            return
        practices = practices.filter(among("pk", pks))
    fields = PracticeQuerySet.search_fields
    practices.update(
        **{
            fields.stored_vector: weighted_vector(fields, read=_in_update),
            # The SET clause reads the row as it was: the rank's part of the new
            # vector is its a and b fields' vector, built again.
            fields.rank_vector: weighted_vector(
                SearchFields(a=fields.a, b=fields.b), read=_in_update
            ),
        }
    )
    # An UPDATE sends no signal; what search finds has changed.
    bump_content_version()


def _in_update(name):
    """What the UPDATE reads for the search field ``name`` of the practice it sets.

    An UPDATE cannot join, so a name read through a relation (``tags__name``)
    becomes a subquery: that practice's names, joined by spaces. The subquery starts
    from the rows that hold the names and walks the relation back to the practice,
    so it reads them through their own indexes.
    """
    *relations, column = name.split("__")
    if not relations:
        return F(name)
    model, back = Practice, []
    for relation in relations:
        field = model._meta.get_field(relation)
        back.insert(
            0,
            field.field.name
            if isinstance(field, ForeignObjectRel)
            else field.related_query_name(),
        )
        model = field.related_model
    to_practice = "__".join(back)
    return Subquery(
        model._default_manager.filter(**{to_practice: OuterRef("pk")})
        .order_by()
        .values(to_practice)
        .annotate(names=StringAgg(column, delimiter=" "))
        .values("names")
    )
