"""Citing portal pages: one record, written as plain text, BibTeX, RIS or CSL-JSON.

A page of the portal is cited as a web page of the Compendium Portal, naming the
UNODC Compendium it is built on, its address and the day it was read. The record says
nothing the page does not show; the writers only spell it for each reference manager.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.http import HttpResponse, StreamingHttpResponse

PORTAL = "Compendium Portal"
# Title, publisher, year and address as /work/shared/reference/compendium-facts.json
# gives them (from UNODC's "About the Compendium" page).
COMPENDIUM_TITLE = (
    "Compendium of Promising Practices on Public-Private Partnerships to Prevent and "
    "Counter Trafficking in Persons"
)
COMPENDIUM_PUBLISHER = "UNODC"
COMPENDIUM_YEAR = 2021
COMPENDIUM_URL = "https://www.unodc.org/unodc/en/ngos/ppp-compendium.html"
BASED_ON = (
    f"Based on the {COMPENDIUM_PUBLISHER} {COMPENDIUM_TITLE} ({COMPENDIUM_YEAR}), "
    f"{COMPENDIUM_URL}"
)
# How to cite the Compendium itself (the publication, not a page of this portal), as
# the footer of every page suggests it.
COMPENDIUM_CITATION = (
    f"{COMPENDIUM_PUBLISHER} ({COMPENDIUM_YEAR}). {COMPENDIUM_TITLE}. {COMPENDIUM_URL}"
)

FORMATS = {
    # renderer: (file extension, content type, label for links)
    "bib": ("bib", "application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8", "RIS"),
    "csl": ("json", "application/vnd.citationstyles.csl+json", "CSL-JSON"),
}


@dataclass(frozen=True)
class Citation:
    """What a citation of one page says. ``key`` is stable per page (its slug)."""

    key: str
    title: str
    url: str
    updated: date
    accessed: date
    abstract: str = ""
    keywords: tuple = field(default=())

    def plain(self):
        """The suggested citation, for people who paste rather than import."""
        title = _one_line(self.title)
        if not title.endswith((".", "?", "!")):
            title += "."
        return (
            f"{PORTAL} ({self.updated.year}). {title} {PORTAL}. "
            f"{BASED_ON}. {self.url} (accessed {_long_date(self.accessed)})."
        )


def _one_line(text):
    return " ".join(str(text or "").split())


def _long_date(day):
    return f"{day.day} {day:%B} {day.year}"


# BibTeX -------------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_ESCAPE = re.compile("|".join(re.escape(ch) for ch in _BIBTEX_SPECIAL))
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:-]+")


def _bibtex_text(text):
    return _BIBTEX_ESCAPE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], _one_line(text))


def bibtex_entry(citation):
    # A URL goes verbatim (biblatex reads it raw) except for braces, which would
    # end the field.
    url = citation.url.replace("{", "%7B").replace("}", "%7D")
    fields = [
        ("title", "{" + _bibtex_text(citation.title) + "}"),
        ("author", "{" + PORTAL + "}"),
        ("year", str(citation.updated.year)),
        ("howpublished", PORTAL),
        ("organization", PORTAL),
        ("url", url),
        ("urldate", citation.accessed.isoformat()),
        (
            "note",
            _bibtex_text(f"{BASED_ON}. Accessed {_long_date(citation.accessed)}"),
        ),
    ]
    if citation.abstract:
        fields.append(("abstract", _bibtex_text(citation.abstract)))
    if citation.keywords:
        fields.append(("keywords", _bibtex_text(", ".join(citation.keywords))))
    key = _KEY_UNSAFE.sub("-", f"compendium-portal:{citation.key}")
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


# RIS ----------------------------------------------------------------------------


def ris_record(citation):
    lines = [
        ("TY", "ELEC"),
        ("TI", _one_line(citation.title)),
        ("AU", PORTAL),
        ("PY", str(citation.updated.year)),
        ("DA", citation.updated.strftime("%Y/%m/%d")),
        ("T2", PORTAL),
        ("PB", PORTAL),
        ("UR", citation.url),
        ("Y2", citation.accessed.strftime("%Y/%m/%d")),
        ("N1", f"{BASED_ON}. Accessed {_long_date(citation.accessed)}."),
    ]
    if citation.abstract:
        lines.append(("AB", _one_line(citation.abstract)))
    lines.extend(("KW", _one_line(keyword)) for keyword in citation.keywords)
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


# CSL-JSON -----------------------------------------------------------------------


def csl_item(citation):
    item = {
        "id": f"compendium-portal:{citation.key}",
        "type": "webpage",
        "title": _one_line(citation.title),
        "author": [{"literal": PORTAL}],
        "container-title": PORTAL,
        "publisher": PORTAL,
        "issued": {"date-parts": [_date_parts(citation.updated)]},
        "accessed": {"date-parts": [_date_parts(citation.accessed)]},
        "URL": citation.url,
        "note": BASED_ON,
    }
    if citation.abstract:
        item["abstract"] = _one_line(citation.abstract)
    if citation.keywords:
        item["keyword"] = ", ".join(citation.keywords)
    return item


def _date_parts(day):
    return [day.year, day.month, day.day]


# Responses ----------------------------------------------------------------------


def citation_response(citations, renderer, stem, *, today=None):
    """``citations`` (an iterable of Citation) as a download in ``renderer``'s format,
    named ``<stem>-YYYY-MM-DD.<ext>``. BibTeX and RIS are streamed, one record after
    the other; CSL-JSON is one array."""
    extension, content_type, _label = FORMATS[renderer]
    today = today or date.today()
    if renderer == "csl":
        response = HttpResponse(
            json.dumps(
                [csl_item(citation) for citation in citations],
                ensure_ascii=False,
                indent=2,
            ),
            content_type=content_type,
        )
    else:
        write = bibtex_entry if renderer == "bib" else ris_record
        separator = "\n" if renderer == "bib" else "\r\n"

        def records():
            for number, citation in enumerate(citations):
                yield (separator if number else "") + write(citation)

        response = StreamingHttpResponse(records(), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{stem}-{today.isoformat()}.{extension}"'
    )
    return response
