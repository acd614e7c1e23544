"""The committed catalogues are complete, compiled, and hold every marked string;
every interface string of the templates is marked.

How a string is added and translated (README "Interface languages"): mark it, run
``python manage.py makemessages -l fr -l es -l ar --no-obsolete``, translate the new
entries in locale/<language>/LC_MESSAGES/django.po, then
``msgfmt -c -o django.mo django.po`` in each folder (or ``compilemessages -i .venv``)
and commit the .po and .mo together. These tests fail until all of it is done.
"""

import html.parser
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en-gb"]
# Nplurals as gettext gives them for each language (Plural-Forms of the header).
PLURAL_FORMS = {"fr": 2, "es": 3, "ar": 6}
# The public templates: the admin's own and the API docs page (an English-only
# Swagger shell) are left to Django's and Swagger's translations.
PUBLIC_TEMPLATES = sorted(
    path
    for path in (REPO / "templates").rglob("*.html")
    if path.relative_to(REPO / "templates").parts[0] not in {"admin", "api"}
)
# Words that stay as they are in every language: file formats and the brand mark.
UNTRANSLATED_WORDS = {"CSV", "Excel", "JSON", "PPP", "XLSX"}
TRANSLATED_ATTRIBUTES = {"aria-label", "placeholder", "title", "alt"}


def catalogue(language):
    return polib.pofile(str(REPO / "locale" / language / "LC_MESSAGES" / "django.po"))


def key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy_or_obsolete(language):
    po = catalogue(language)
    assert po.untranslated_entries() == [], [e.msgid for e in po.untranslated_entries()]
    assert po.fuzzy_entries() == [], [e.msgid for e in po.fuzzy_entries()]
    assert po.obsolete_entries() == [], [e.msgid for e in po.obsolete_entries()]
    assert po.percent_translated() == 100
    assert po.metadata["Language"] == language
    forms = re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"])
    assert int(forms.group(1)) == PLURAL_FORMS[language]
    for entry in po:
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == PLURAL_FORMS[language], entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    """A translation that drops or misspells %(name)s would fail at render time."""
    named = re.compile(r"%\((\w+)\)s")
    for entry in catalogue(language):
        wanted = set(named.findall(entry.msgid_plural or entry.msgid))
        translations = (
            entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        )
        for text in translations:
            found = set(named.findall(text))
            # A singular form may leave the number out ("ce résultat").
            assert found <= wanted, (entry.msgid, text)
            assert wanted - found <= {"count"}, (entry.msgid, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    """The committed .mo (what Django reads: `make run` needs no gettext) is the
    .po compiled: same messages, same translations."""
    folder = REPO / "locale" / language / "LC_MESSAGES"
    po = {
        key(e): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(folder / "django.po"))
    }
    mo = {
        key(e): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(folder / "django.mo"))
    }
    mo.pop((None, "", ""), None)  # the header
    assert mo == po


def test_catalogues_hold_every_string_the_code_and_templates_mark(
    tmp_path, monkeypatch, settings
):
    """makemessages over a copy of the project finds no message the committed
    catalogue lacks, and the catalogue keeps none that is no longer used."""
    copy = tmp_path / "project"
    shutil.copytree(
        REPO,
        copy,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "node_modules",
            "tests",
            "bench",
            "locale",
            "staticfiles",
            "test-artifacts",
            "*.sqlite3",
            "__pycache__",
        ),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], verbosity=0, no_obsolete=True)
    extracted = {
        key(e) for e in polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po"))
    }
    committed = {key(e) for e in catalogue("fr")}
    assert extracted - committed == set(), "marked but not in the catalogue"
    assert committed - extracted == set(), "in the catalogue but no longer marked"


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_data(self, data):
        self.found.append(data)

    def handle_starttag(self, tag, attrs):
        self.found.extend(
            value for name, value in attrs if name in TRANSLATED_ATTRIBUTES and value
        )


def untranslated_text(source):
    """The words of a template that no translation tag covers."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    source = re.sub(r"{#.*?#}", "", source, flags=re.S)
    source = re.sub(
        r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", "", source, flags=re.S
    )
    source = re.sub(r"{%.*?%}|{{.*?}}", "", source, flags=re.S)
    parser = _Text()
    parser.feed(source)
    words = re.findall(r"[^\W\d_]{2,}", " ".join(parser.found))
    return [word for word in words if word not in UNTRANSLATED_WORDS]


@pytest.mark.parametrize(
    "template", PUBLIC_TEMPLATES, ids=lambda p: str(p.relative_to(REPO / "templates"))
)
def test_every_template_string_is_marked_for_translation(template):
    assert untranslated_text(template.read_text(encoding="utf-8")) == []


def test_the_template_check_finds_an_unmarked_string():
    assert untranslated_text('<p>{% translate "Shown" %} Forgotten</p>') == [
        "Forgotten"
    ]
    assert untranslated_text('<input placeholder="Type here">') == ["Type", "here"]
    assert (
        untranslated_text(
            "<p>{% blocktranslate %}Kept {{ x }}{% endblocktranslate %}</p>"
        )
        == []
    )
