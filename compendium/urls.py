from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from compendium import sitemaps, views
from compendium.sitemaps import SITEMAPS

# The public pages, in every interface language: English unprefixed, the others
# under /fr/, /es/ and /ar/ (settings.LANGUAGES). The admin follows the editor's
# browser instead, and the API is data: its addresses carry no language.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", sitemaps.section_view, name="sitemap_section"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    *i18n_patterns(
        path("", views.home, name="home"),
        path("about/", views.about, name="about"),
        path("search/", views.site_search, name="search"),
        path("gaps/", views.gaps, name="gaps"),
        path(
            "gaps/<slug:table>.csv",
            views.gaps_export,
            {"renderer": "csv"},
            name="gaps_csv",
        ),
        path(
            "gaps/<slug:table>.json",
            views.gaps_export,
            {"renderer": "json"},
            name="gaps_json",
        ),
        path("", include("practices.urls")),
        path("", include("partnerships.urls")),
        prefix_default_language=False,
    ),
]

handler400 = "compendium.views.bad_request"
handler404 = "compendium.views.page_not_found"
handler500 = "compendium.views.server_error"
