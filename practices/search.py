"""Keeping a practice's stored search vector current (PostgreSQL)."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from taggit.models import Tag, TaggedItem

from core.search import SEARCH_CONFIG, uses_postgres
from practices.models import Country, Organisation, Practice, PracticePartner


def refresh_search_vectors(pks=None):
    """Rebuild the stored vector of the given practices (all when ``pks`` is None).

    One set-based UPDATE, so loading fixtures or a 100,000-row benchmark costs one
    statement, and saving one practice costs one small one.
    """
    if not uses_postgres():
        return
    content_type = ContentType.objects.get_for_model(Practice)
    countries_table = Practice.countries.through._meta.db_table
    sql = f"""
        UPDATE {Practice._meta.db_table} AS p SET search_vector =
            setweight(to_tsvector(%(config)s, coalesce(p.title, '')), 'A')
            || setweight(to_tsvector(%(config)s, concat_ws(' ', p.summary, (
                SELECT string_agg(t.name, ' ') FROM {TaggedItem._meta.db_table} ti
                JOIN {Tag._meta.db_table} t ON t.id = ti.tag_id
                WHERE ti.content_type_id = %(ct)s AND ti.object_id = p.id
            ))), 'B')
            || setweight(to_tsvector(%(config)s, concat_ws(' ',
                p.description, p.outcomes, (
                SELECT string_agg(o.name, ' ') FROM {PracticePartner._meta.db_table} pp
                JOIN {Organisation._meta.db_table} o ON o.id = pp.organisation_id
                WHERE pp.practice_id = p.id
            ), (
                SELECT string_agg(c.name, ' ') FROM {countries_table} pc
                JOIN {Country._meta.db_table} c ON c.id = pc.country_id
                WHERE pc.practice_id = p.id
            ))), 'C')
    """
    params = {"config": SEARCH_CONFIG, "ct": content_type.pk}
    if pks is not None:
        pks = [pk for pk in pks if pk is not None]
        if not pks:
            return
        sql += " WHERE p.id = ANY(%(pks)s)"
        params["pks"] = list(pks)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
