from django.contrib import admin
from django.urls import include, path

from compendium import views

urlpatterns = [
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
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("practices.urls")),
    path("", include("partnerships.urls")),
    path("api/v1/", include("api.urls")),
]

handler400 = "compendium.views.bad_request"
handler404 = "compendium.views.page_not_found"
handler500 = "compendium.views.server_error"
