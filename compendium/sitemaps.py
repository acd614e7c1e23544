"""The sitemap: every public page, in every interface language, with the date its
content last changed. Served as an index (``/sitemap.xml``) of one sitemap per
section, each split into pages of ``PublicSitemap.limit`` addresses.

Only ``published()`` content is listed, through each model's own queryset: the
sitemap never names a draft's address.
"""

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max
from django.urls import reverse

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
    # Well under the protocol's 50,000 and 50 MB: with four languages each
    # address carries five alternates, and a page renders in a second or two.
    limit = 10_000

    @property
    def paginator(self):
        return Paginator(_LanguagePairs(self.items(), self._languages()), self.limit)


class ContentSitemap(PublicSitemap):
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


class MeetingSitemap(ContentSitemap):
    model = Meeting


class OrganisationSitemap(PublicSitemap):
    """Organisations named by published content; they carry no date of their own."""

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
