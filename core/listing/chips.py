"""What the page says about the active filters: removable chips and a description."""

from django.conf import settings
from django.utils.translation import get_language, gettext, ngettext

from core.listing.filters import PRESENTATION_PARAMS
from core.listing.params import toggled


class Noun(tuple):
    """A list's row in words, ``Noun("practice", "practices")``: the English pair at
    [0] and [1] (the API's schema reads them) and ``for_count(n)`` translated.

    ``core``'s makemessages extracts both strings (its ``Noun:1,2`` keyword).
    """

    def __new__(cls, singular, plural):
        return super().__new__(cls, (singular, plural))

    def for_count(self, count):
        return ngettext(self[0], self[1], count)

    @property
    def one(self):
        return self.for_count(1)

    @property
    def many(self):
        """The plural for a count in general ("number of practices")."""
        return self.for_count(100)


def active_chips(filterset, groups):
    """Removable chips for every active filter value, labelled from the facet groups.

    Values a filter ignored or rejected get no chip: the message beside the filter
    says what happened to them.
    """
    if not filterset.is_bound:
        return []
    params = filterset.params
    labels = {
        group["param"]: {o["value"]: o["label"] for o in group["options"]}
        for group in groups
    }
    chips = []
    for name, field in filterset.form.fields.items():
        if name in PRESENTATION_PARAMS or name in filterset.form.errors:
            continue
        declared = filterset.filters.get(name)
        ignored = getattr(field, "ignored", [])
        for value in params.getlist(name):
            if value in ignored:
                continue
            text = labels.get(name, {}).get(value, value)
            chip = {
                "label": field.label,
                "text": text,
                "param": name,
                "value": value,
                "remove_url": toggled(params, name, value),
            }
            if getattr(declared, "phrase", None) and hasattr(declared, "in_words"):
                chip["phrase"] = declared.phrase
                chip["conjunction"] = declared.conjunction
                chip["words"] = declared.in_words(value, text)
            chips.append(chip)
    return chips


def chosen_labels(filterset):
    """Labels of the values the query string chooses, shaped as facet groups for
    ``active_chips``: for a page that shows chips without counting the facets."""
    groups = []
    params = filterset.params
    for facet in filterset.facets:
        chosen = set(params.getlist(facet.param))
        if not chosen:
            continue
        options = [
            {"value": str(value), "label": label}
            for _, value, label, *_ in facet.options(set(), chosen)
            if str(value) in chosen
        ]
        groups.append({"param": facet.param, "options": options})
    return groups


def in_a_list(words, conjunction="and"):
    """["a", "b", "c"] -> "a, b and c"."""
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def phrased(chips):
    """The chips of filters that read as words after the noun ("with a bank and an
    NGO"), as one phrase per filter; empty when there are none."""
    by_phrase = {}
    for chip in chips:
        if chip.get("phrase"):
            key = (chip["phrase"], chip["conjunction"])
            by_phrase.setdefault(key, []).append(chip["words"])
    return " ".join(
        phrase.format(in_a_list(words, conjunction))
        for (phrase, conjunction), words in by_phrase.items()
    )


def describe(count, noun, search_query, chips):
    """The list in words, for its <title> and heading: "13 practices matching
    “bank” · Sector: Financial sector · Region: Africa or Americas"."""
    return f"{count} {ngettext(noun[0], noun[1], count)}" + qualifiers(
        search_query, chips
    )


def qualifiers(search_query, chips):
    """What ``describe`` says after the count: " matching “bank” · Sector:
    Financial sector" (empty for the whole list); a feed's title uses it too."""
    text = ""
    # "with a bank and an NGO" is English grammar (articles, word order); the
    # other languages name those filters as "label: values" like the rest.
    in_words = get_language() == settings.LANGUAGE_CODE
    if in_words and (words := phrased(chips)):
        text += f" {words}"
    if search_query:
        text += " " + gettext("matching “%(query)s”") % {"query": search_query}
    by_label = {}
    for chip in chips:
        if chip["param"] == "q" or (in_words and chip.get("phrase")):
            continue
        by_label.setdefault(str(chip["label"]), []).append(str(chip["text"]))
    if by_label:
        either = gettext(" or ")
        text += "".join(
            f" · {label}: {either.join(values)}" for label, values in by_label.items()
        )
    return text
