from django.urls import path

from core.citation import FORMATS as CITATION_FORMATS
from core.listing.urls import cite_routes, list_routes
from practices import views

app_name = "practices"
urlpatterns = [
    *list_routes("practices/", views.PracticeListView, "list", "export"),
    # Before the detail route, whose slug it would otherwise be.
    path("practices/compare/", views.compare, name="compare"),
    *cite_routes("practices/", views.PracticeListView, "export"),
    path("practices/<slug:slug>/", views.PracticeDetailView.as_view(), name="detail"),
    *[
        path(
            f"practices/<slug:slug>/cite.{extension}",
            views.PracticeCitationView.as_view(renderer=renderer),
            name=f"cite_{renderer}",
        )
        for renderer, (extension, _type, _label) in CITATION_FORMATS.items()
    ],
    *list_routes(
        "organisations/",
        views.OrganisationListView,
        "organisation_list",
        "organisation_export",
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    *list_routes("lessons/", views.LessonListView, "lesson_list", "lesson_export"),
]
