"""The sitemap: every public page, in every interface language, with the date its
content last changed. Served as an index (``/sitemap.xml``, Django's view) of one
sitemap per section (``section_view``), each split into pages of
``PublicSitemap.limit`` addresses.

Only ``published()`` content is listed, through each model's own queryset: the
sitemap never names a draft's address.
"""

from datetime import datetime
from functools import cached_property
from xml.sax.saxutils import escape, quoteattr

from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation

from partnerships.models import ActionPoint, Meeting, Strategy
from practices.models import Audience, LessonLearned, Organisation, Practice, Sector


class _LanguagePairs:
    """The (item, language) pairs of ``items`` × ``languages``, read a slice at a
    time: Django's i18n sitemap would build every pair of every row in memory for
    each page it serves."""

    def __init__(self, items, languages):
        self.items = items
        self.languages = list(languages)

    def count(self):
        items = self.items
        total = len(items) if isinstance(items, list) else items.count()
        return total * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Only slices of the pairs are read.")
        width = len(self.languages)
        start, stop = index.start or 0, index.stop
        rows = list(self.items[start // width : -(-stop // width)])
        pairs = [(row, language) for row in rows for language in self.languages]
        offset = start - (start // width) * width
        return pairs[offset : offset + (stop - start)]


class PublicSitemap(Sitemap):
    """Every language of each address (``/fr/...``), each with its alternates."""

    i18n = True
    alternates = True
    x_default = True
    # Well under the protocol's 50,000 addresses and 50 MB: with four languages
    # each address carries five alternates, and a page of 5,000 renders in about
    # a second (bench/README.md).
    limit = 5_000

    @property
    def paginator(self):
        return Paginator(_LanguagePairs(self.items(), self._languages()), self.limit)


#: Stands for a row's slug in an address reversed once per language.
SLUG = "__slug__"


class SlugSitemap(PublicSitemap):
    """Rows addressed by ``url_name`` with their slug alone.

    The address of each is its language's address with the slug put in: one
    ``reverse()`` a language rather than one for every row and alternate (of a
    page's 10,000 addresses and 40,000 alternates), which is most of the time
    Django's ``Sitemap._location`` takes.
    """

    url_name = None

    def _location(self, item, force_lang_code=None):
        row, language = item
        before, after = self._addresses[force_lang_code or language]
        return f"{before}{row.slug}{after}"

    @cached_property
    def _addresses(self):
        addresses = {}
        for language in self._languages():
            with translation.override(language):
                address = reverse(self.url_name, kwargs={"slug": SLUG})
            addresses[language] = address.split(SLUG)
        return addresses


class ContentSitemap(SlugSitemap):
    """The detail pages of one model's published rows, dated by their last edit."""

    model = None

    def items(self):
        return (
            self.model._default_manager.published()
            .order_by("pk")
            .only("pk", "slug", "updated_at")
        )

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class PracticeSitemap(ContentSitemap):
    model = Practice
    url_name = "practices:detail"


class MeetingSitemap(ContentSitemap):
    model = Meeting
    url_name = "partnerships:meeting_detail"


class OrganisationSitemap(SlugSitemap):
    """Organisations named by published content; they carry no date of their own."""

    url_name = "practices:organisation_detail"

    def items(self):
        return Organisation.objects.published().order_by("pk").only("pk", "slug")


class TaxonomySitemap(PublicSitemap):
    """The sector and role pages, which show every sector or audience."""

    def items(self):
        return [
            *Sector.objects.order_by("order", "pk").only("pk", "slug"),
            *Audience.objects.order_by("order", "pk").only("pk", "slug"),
        ]

    def location(self, item):
        if isinstance(item, Audience):
            return reverse("partnerships:audience_detail", kwargs={"slug": item.slug})
        return item.get_absolute_url()


#: The site's own pages by URL name, with the content whose last change dates them.
PAGES = {
    "home": (Practice, Meeting),
    "about": (),
    "practices:list": (Practice,),
    "practices:lesson_list": (LessonLearned,),
    "practices:organisation_list": (Practice, Meeting),
    "partnerships:meeting_list": (Meeting,),
    "partnerships:action_point_list": (ActionPoint,),
    "partnerships:strategy_list": (Strategy,),
    "partnerships:audience_list": (ActionPoint,),
    "gaps": (Practice, ActionPoint),
}


class PageSitemap(PublicSitemap):
    """Home, About and the lists, dated by the latest change to what they list."""

    def items(self):
        return list(PAGES)

    def location(self, item):
        return reverse(item)

    def get_latest_lastmod(self):
        # About has no date, so the section as a whole has none: not worth the
        # index reading the latest change of every list.
        return None

    def lastmod(self, item):
        dates = [self._latest[model] for model in PAGES[item] if self._latest[model]]
        return max(dates) if dates else None

    @cached_property
    def _latest(self):
        """The last change to each model's published rows, read once a request."""
        models = {model for dated_by in PAGES.values() for model in dated_by}
        return {
            model: model._default_manager.published().aggregate(
                latest=Max("updated_at")
            )["latest"]
            for model in models
        }


SITEMAPS = {
    "pages": PageSitemap,
    "topics": TaxonomySitemap,
    "practices": PracticeSitemap,
    "meetings": MeetingSitemap,
    "organisations": OrganisationSitemap,
}


def section_view(request, section):
    """One page (``?p=``) of the sitemap of ``section``, as sitemaps.org XML.

    Django's ``sitemap`` view, with the XML written directly: its template takes
    most of the time of a page of 5,000 addresses and their 20,000 alternates.
    """
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    sitemap = SITEMAPS[section]()
    try:
        urls = sitemap.get_urls(
            page=request.GET.get("p", 1),
            site=RequestSite(request),
            protocol=request.scheme,
        )
    except InvalidPage as error:
        raise Http404("No such page of the sitemap.") from error
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
    ]
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if lastmod := url["lastmod"]:
            day = lastmod.date() if isinstance(lastmod, datetime) else lastmod
            parts.append(f"<lastmod>{day.isoformat()}</lastmod>")
        parts.extend(
            f'<xhtml:link rel="alternate" hreflang={quoteattr(alternate["lang_code"])}'
            f" href={quoteattr(alternate['location'])}/>"
            for alternate in url["alternates"]
        )
        parts.append("</url>\n")
    parts.append("</urlset>\n")
    response = HttpResponse("".join(parts), content_type="application/xml")
    # As Django's view: the sitemap is for crawlers, not a page to show in results.
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
