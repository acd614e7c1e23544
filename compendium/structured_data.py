"""What a page tells search engines and link previews about itself: schema.org
JSON-LD for a practice, a meeting or an organisation, and the OpenGraph type.

Read from the objects the page already shows (their prefetched relations), so a
page's metadata costs no query of its own. Only published content is described:
a draft a member of staff previews gets none, and its page asks not to be indexed.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from partnerships.models import Meeting
from practices.models import Organisation, OrganisationType, Practice

SITE_NAME = "Compendium Portal"

#: The context variable each detail page names its object by.
DESCRIBED = ("practice", "meeting", "organisation")

_ATTENDANCE = {
    Meeting.Format.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Meeting.Format.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
    Meeting.Format.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}
_ORGANISATION_TYPES = {
    OrganisationType.NGO: "NGO",
}


def described_object(context):
    """The practice, meeting or organisation a detail page shows, or None."""
    for name in DESCRIBED:
        obj = context.get(name)
        if isinstance(obj, Practice | Meeting | Organisation):
            return obj
    return None


def is_public(obj):
    return getattr(obj, "is_published", True)


def json_ld(data):
    """``data`` as the body of a ``<script type="application/ld+json">``: JSON with
    ``<``, ``>`` and ``&`` escaped as Django's ``json_script`` does, so no text an
    editor writes can close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_json_script_escapes))


def structured_data(obj, absolute):
    """The schema.org description of ``obj``; ``absolute`` makes a path a URL."""
    describe = {
        Practice: _practice,
        Meeting: _meeting,
        Organisation: _organisation,
    }[type(obj)]
    data = {"@context": "https://schema.org", **describe(obj, absolute)}
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _site(absolute):
    return {"@type": "WebSite", "name": SITE_NAME, "url": absolute(reverse("home"))}


def _practice(practice, absolute):
    coverage = None
    if practice.start_year:
        coverage = f"{practice.start_year}/{practice.end_year or '..'}"
    return {
        "@type": "CreativeWork",
        "name": practice.title,
        "headline": practice.title[:110],
        "description": practice.summary,
        "url": absolute(practice.get_absolute_url()),
        "datePublished": practice.published_at,
        "dateModified": practice.updated_at,
        "inLanguage": "en",
        "keywords": [tag.name for tag in practice.tags.all()],
        "about": [
            {
                "@type": "Thing",
                "name": sector.name,
                "url": absolute(sector.get_absolute_url()),
            }
            for sector in practice.sectors.all()
        ],
        "spatialCoverage": [
            {"@type": "Country", "name": str(country.name)}
            for country in practice.countries.all()
        ],
        "temporalCoverage": coverage,
        "contributor": [
            _organisation_reference(link.organisation, absolute)
            for link in practice.partners.all()
        ],
        "isPartOf": _site(absolute),
    }


def _meeting(meeting, absolute):
    start = end = None
    if meeting.start_date:
        precision = Meeting.DatePrecision(meeting.date_precision)
        start = meeting.start_date.isoformat()[: precision.iso_length]
    if meeting.end_date:
        end = meeting.end_date.isoformat()
    place = meeting.region_detail or (meeting.region.name if meeting.region else "")
    location = None
    if meeting.format == Meeting.Format.ONLINE:
        location = {"@type": "VirtualLocation", "name": place or "Online"}
    elif place:
        location = {"@type": "Place", "name": place}
    return {
        "@type": "Event",
        "name": meeting.title,
        "alternateName": meeting.short_title,
        "description": meeting.summary,
        "url": absolute(meeting.get_absolute_url()),
        "startDate": start,
        "endDate": end,
        "eventAttendanceMode": _ATTENDANCE.get(meeting.format),
        "location": location,
        "organizer": (
            {"@type": "Organization", "name": meeting.host_office}
            if meeting.host_office
            else None
        ),
        "funder": (
            {"@type": "Organization", "name": meeting.funder}
            if meeting.funder
            else None
        ),
    }


def _organisation_reference(organisation, absolute):
    return {
        "@type": _ORGANISATION_TYPES.get(organisation.type, "Organization"),
        "name": organisation.name,
        "url": absolute(organisation.get_absolute_url()),
    }


def _organisation(organisation, absolute):
    country = organisation.country
    return {
        **_organisation_reference(organisation, absolute),
        "description": organisation.description,
        "sameAs": organisation.website or None,
        "address": (
            {"@type": "PostalAddress", "addressCountry": str(country.code)}
            if country
            else None
        ),
    }


def og_type(obj):
    """OpenGraph's type: an article for a practice or a meeting's page."""
    return "article" if isinstance(obj, Practice | Meeting) else "website"
