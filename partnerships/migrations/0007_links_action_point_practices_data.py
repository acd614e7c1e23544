"""Turn each action point's free-text "derived from" into links and a note.

The text is a list of names separated by semicolons ("Issara Institute model; RLI
Responsible Workplace programme"). Each part is matched on the names of the
practices in the portal; a part that names a practice becomes a link. A part keeps
its words in the note unless the names it matched are all it says (beyond a few
joining words): "Fintel Alliance budget" links the Fintel Alliance and keeps
"Fintel Alliance budget" in the note, since "budget" is information a link alone
would lose. No text is dropped that says more than the link does.

The loader's record of what it wrote (core.LoadedRow) is converted the same way, so
a reference action point nobody edited is still recognised as unedited and the next
``load_reference`` brings it to the curated fixture.
"""

import re

from django.db import migrations

# Names the reference texts use for a practice beyond those read off its title
# (the whole title, the part before a colon or parenthesis, an acronym in
# parentheses). Keyed by slug; a practice missing from a database is ignored.
ALIASES = {
    "issara-worker-voice": ["Issara Institute", "Issara"],
    "responsible-labor-initiative": ["RLI"],
    "truckers-against-trafficking": ["Commercial Vehicle Safety Alliance"],
    "marriott-human-trafficking-awareness-training": ["Marriott International"],
    "brazil-national-pact-inpacto-dirty-list": ["Dirty List", "InPACTO"],
    "knowthechain-benchmarks": ["KnowTheChain"],
    "apple-recruitment-fee-repayment": ["Apple"],
    "uk-modern-slavery-act-s54": ["UK Modern Slavery Act"],
    "australia-modern-slavery-act-2018": ["Australian Modern Slavery Act"],
    "us-eo-13627-far-ending-trafficking-in-persons": ["Executive Order 13627"],
    "project-protect-canada": ["FINTRAC operational alerts"],
    "us-banks-alliance": [
        "Manhattan District Attorney",
        "Thomson Reuters Foundation banks alliance",
        "Thomson Reuters Foundation banks alliances",
    ],
    "fincen-human-trafficking-advisories": ["FinCEN"],
    "polaris-hotline-technology-partnerships": ["Google grant for a hotline network"],
    "german-supply-chain-due-diligence-act": ["LkSG"],
    "tech-coalition-project-protect": ["Tech Coalition"],
}

# Words that join names and say nothing of their own.
JOINING_WORDS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "its", "of", "on",
    "the", "to", "with",
}  # fmt: skip

ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]{2,}\b")


def normalise(text):
    """Lower case, possessives and punctuation gone, single spaces."""
    text = text.replace("\u2019", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def practice_names(slug, title):
    """The names under which a practice is recognised in a text."""
    names = {title, re.split(r":| \(| - ", title, maxsplit=1)[0]}
    for inside in re.findall(r"\(([^)]*)\)", title):
        names.update(ACRONYM.findall(inside))
    names.update(ALIASES.get(slug, []))
    return {normalise(name) for name in names if len(normalise(name)) >= 3}


def match_derived_from(text, practices):
    """Split ``text`` into the slugs of the practices it names and a note.

    ``practices`` is an iterable of ``(slug, title)``. Each semicolon-separated part
    is searched for practice names, the longest name first, so "Technology
    Coalition's Project Protect" names that practice and not Project Protect
    (Canada). Returns ``(slugs in order of appearance, note)``.
    """
    names = sorted(
        (
            (name, slug)
            for slug, title in practices
            for name in practice_names(slug, title)
        ),
        key=lambda item: -len(item[0]),
    )
    slugs, kept = [], []
    for part in (part.strip() for part in (text or "").split(";")):
        if not part:
            continue
        words = normalise(part)
        found = []
        for name, slug in names:
            for hit in re.finditer(rf"(?<![0-9a-z]){re.escape(name)}(?![0-9a-z])", words):
                found.append((hit.start(), slug))
                # Blank the match out so no shorter name matches inside it.
                words = words[: hit.start()] + " " * len(name) + words[hit.end() :]
        for _, slug in sorted(found):
            if slug not in slugs:
                slugs.append(slug)
        if not found or set(words.split()) - JOINING_WORDS:
            kept.append(part)
    return slugs, "; ".join(kept)


def forward(apps, schema_editor):
    ActionPoint = apps.get_model("partnerships", "ActionPoint")
    Practice = apps.get_model("practices", "Practice")
    LoadedRow = apps.get_model("core", "LoadedRow")
    practices = list(Practice.objects.values_list("slug", "title"))
    ids = dict(Practice.objects.values_list("slug", "pk"))
    for point in ActionPoint.objects.exclude(derived_from=""):
        slugs, note = match_derived_from(point.derived_from, practices)
        point.derived_note = note
        point.save(update_fields=["derived_note"])
        point.practices.set([ids[slug] for slug in slugs])
    for row in LoadedRow.objects.filter(model="partnerships.actionpoint"):
        values = dict(row.values)
        slugs, note = match_derived_from(values.pop("derived_from", ""), practices)
        values["practices"] = sorted(slugs)
        values["derived_note"] = note
        row.values = values
        row.save(update_fields=["values"])


def backward(apps, schema_editor):
    ActionPoint = apps.get_model("partnerships", "ActionPoint")
    LoadedRow = apps.get_model("core", "LoadedRow")
    for point in ActionPoint.objects.prefetch_related("practices"):
        parts = [practice.title for practice in point.practices.all()]
        if point.derived_note:
            parts.append(point.derived_note)
        point.derived_from = "; ".join(parts)[:300]
        point.save(update_fields=["derived_from"])
    for row in LoadedRow.objects.filter(model="partnerships.actionpoint"):
        values = dict(row.values)
        values.pop("practices", None)
        values["derived_from"] = values.pop("derived_note", "")
        row.values = values
        row.save(update_fields=["values"])


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0006_links_action_point_practices"),
        ("core", "0003_cite_search_vocabulary"),
    ]

    operations = [migrations.RunPython(forward, backward)]
