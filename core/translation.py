"""Content in several languages, on django-modeltranslation (practices/translation.py
and partnerships/translation.py say which texts).

English is the source. Its text lives in the original column (``title``), which the
exports, the facet index, the search index and every query read, and in the library's
English column (``title_en_gb``), which the admin edits; ``EnglishSource.save`` keeps
the two the same whatever language the editor's admin is in. French, Spanish and
Arabic live in ``title_fr``, ``title_es`` and ``title_ar``. Reading ``obj.title``
gives the visitor's language where the text exists and the English otherwise;
``shown_language`` says which, so a page can say so and mark it with ``lang``.

The library rewrites queries into the active language's columns (``filter(title=…)``
becomes ``filter(title_fr=…)`` on a French page); ``EnglishColumnsQuerySet`` turns
that off, so that a filter, an order or a count means the same on every address.
"""

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

#: The language every text is written in first, and falls back to.
SOURCE_LANGUAGE = settings.LANGUAGE_CODE
#: The parameter that asks the API or an export for a language.
LANG_PARAM = "lang"
#: What a ``lang`` parameter (the API's, an export's) may name: the site's
#: languages, and ``en`` for English.
LANGUAGE_NAMES = {
    "en": SOURCE_LANGUAGE,
    **{code: code for code, _ in settings.LANGUAGES},
}
#: The answer to a ``lang`` that names none of them.
LANGUAGE_UNKNOWN = (
    "The lang parameter names a language the Compendium is not written in: use one "
    f"of {', '.join(LANGUAGE_NAMES)}."
)
#: PostgreSQL's text search configuration for each language's own texts (English
#: has the project's own, core.search.SEARCH_CONFIG).
TEXT_SEARCH_CONFIGS = {"fr": "french", "es": "spanish", "ar": "arabic"}


class EnglishColumnsQuerySet(models.QuerySet):
    """A queryset whose lookups, orders and values name the original columns.

    modeltranslation mixes its ``MultilingualQuerySet`` in after this class, and
    calls ``_post_init`` on every queryset it makes: the rewriting is off, and the
    model's default ordering is left to Django (the library would rewrite it into the
    active language's column, whose texts are mostly empty).
    """

    def _post_init(self):
        self._rewrite = False
        self._populate = None

    def update(self, **kwargs):
        return super().update(**with_english_columns(self.model, kwargs))

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        fields = list(with_english_columns(self.model, dict.fromkeys(fields)))
        # The original fields are read through the library's descriptors, which
        # answer in the active language: read in English, as a save is.
        with translation.override(SOURCE_LANGUAGE):
            return super().bulk_update(objs, fields, batch_size=batch_size)

    bulk_update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with translation.override(SOURCE_LANGUAGE):
            return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True


def with_english_columns(model, values):
    """``values`` (field name: value) with each text written to both its original
    column and the library's English one, so that the two never differ: an update of
    ``title`` also sets ``title_en_gb``, and the other way round."""
    values = dict(values)
    for field in translated_fields(model):
        english = build_localized_fieldname(field, SOURCE_LANGUAGE)
        if field in values and english not in values:
            values[english] = values[field]
        elif english in values and field not in values:
            values[field] = values[english]
    return values


class EnglishSource(models.Model):
    """Saves the English text into the original column, whatever the language the
    saving request is in (modeltranslation reads the field through its descriptor,
    which answers in the active language)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with translation.override(SOURCE_LANGUAGE):
            super().save(*args, **kwargs)


def translated_fields(model):
    """The names of the model's texts that have a column per language, or ()."""
    try:
        return tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return ()


def english_columns(model):
    """{``summary_en_gb``: ``summary``}: the library's English column of each text,
    with the original field it mirrors."""
    return {
        build_localized_fieldname(field, SOURCE_LANGUAGE): field
        for field in translated_fields(model)
    }


def translations(model):
    """The columns of the model's texts in the languages other than English
    (``name_fr``, ``name_es``, …), in the order of ``settings.LANGUAGES``."""
    return tuple(
        build_localized_fieldname(field, code)
        for field in translated_fields(model)
        for code, _name in settings.LANGUAGES
        if code != SOURCE_LANGUAGE
    )


def has_text(obj, field, language=None):
    """Whether ``obj`` has ``field`` written in ``language`` (the active one)."""
    language = language or translation.get_language() or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE or field not in translated_fields(type(obj)):
        return True
    name = build_localized_fieldname(field, language)
    return bool(getattr(obj, name, None))


def shown_language(obj, field):
    """The language ``obj.<field>`` is shown in: the active one where the text is
    written in it, English otherwise."""
    language = translation.get_language() or SOURCE_LANGUAGE
    return language if has_text(obj, field, language) else SOURCE_LANGUAGE


def untranslated(obj, fields=None):
    """Whether any of ``obj``'s texts (those it has, of ``fields``) is shown in
    English on a page in another language: the page says so."""
    language = translation.get_language() or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        return False
    return any(
        getattr(obj, field) and not has_text(obj, field, language)
        for field in (fields or translated_fields(type(obj)))
    )


def language_named(value):
    """The site's language that a ``lang`` parameter names (``fr``, ``EN``...):
    English when it is not given (None), None for one the site does not have."""
    if value is None:
        return SOURCE_LANGUAGE
    return LANGUAGE_NAMES.get(value.strip().lower())


#: Rows whose translations are read in one query (an export streams its rows).
TRANSLATED_CHUNK = 500


def in_active_language(model, rows):
    """``rows`` of ``model`` with their texts in the active language where they are
    written in it, English where not.

    A model instance answers so by itself; a row read with ``values()`` (a list's
    export rows, which read the English columns) has its texts replaced here, from
    one query per ``TRANSLATED_CHUNK`` rows, streamed.
    """
    language = translation.get_language() or SOURCE_LANGUAGE
    fields = translated_fields(model) if model is not None else ()
    if language == SOURCE_LANGUAGE or not fields:
        return rows
    return _translated_rows(model, rows, fields, language)


def _translated_rows(model, rows, fields, language):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == TRANSLATED_CHUNK:
            yield from _translate_chunk(model, chunk, fields, language)
            chunk = []
    yield from _translate_chunk(model, chunk, fields, language)


def _translate_chunk(model, rows, fields, language):
    read = [row for row in rows if isinstance(row, dict) and "pk" in row]
    names = {
        field: build_localized_fieldname(field, language)
        for field in fields
        if read and field in read[0]
    }
    if names:
        texts = {
            row["pk"]: row
            for row in model._base_manager.filter(
                pk__in=[row["pk"] for row in read]
            ).values("pk", *names.values())
        }
        for row in read:
            written = texts.get(row["pk"], {})
            for field, name in names.items():
                if written.get(name):
                    row[field] = written[name]
    return rows


def own_language_fields(model, names, language=None):
    """Of the searched field ``names``, the columns in ``language`` (the active one
    by default) of those that have one (``title_fr``, …); () in English."""
    language = language or translation.get_language() or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        return ()
    fields = translated_fields(model)
    return tuple(
        build_localized_fieldname(name, language) for name in names if name in fields
    )


def in_own_language(model, field):
    """What to read for ``field`` to show it in the active language: the original
    column on an English page or for a text without translations, else the
    language's column where written and the English where not (SQL, for a
    ``values_list`` of labels)."""
    language = translation.get_language() or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE or field not in translated_fields(model):
        return field
    own = build_localized_fieldname(field, language)
    return Coalesce(NullIf(own, Value("")), field)


def streamed_in(language, chunks):
    """``chunks`` (a streamed response's body), each made in ``language``: a body is
    read after the view has returned, in whatever language is active then."""
    chunks = iter(chunks)
    while True:
        with translation.override(language):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk
