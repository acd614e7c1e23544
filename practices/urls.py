from django.urls import path

from practices import views

app_name = "practices"
urlpatterns = [
    path("practices/", views.PracticeListView.as_view(), name="list"),
    path(
        "practices/export.csv",
        views.PracticeListView.as_view(renderer="csv"),
        name="export",
    ),
    path(
        "practices/export.xlsx",
        views.PracticeListView.as_view(renderer="xlsx"),
        name="export_xlsx",
    ),
    path("practices/<slug:slug>/", views.PracticeDetailView.as_view(), name="detail"),
    path(
        "organisations/", views.OrganisationListView.as_view(), name="organisation_list"
    ),
    path(
        "organisations/export.csv",
        views.OrganisationListView.as_view(renderer="csv"),
        name="organisation_export",
    ),
    path(
        "organisations/export.xlsx",
        views.OrganisationListView.as_view(renderer="xlsx"),
        name="organisation_export_xlsx",
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path("sectors/<slug:slug>/", views.SectorDetailView.as_view(), name="sector"),
    path("lessons/", views.LessonListView.as_view(), name="lesson_list"),
    path(
        "lessons/export.csv",
        views.LessonListView.as_view(renderer="csv"),
        name="lesson_export",
    ),
    path(
        "lessons/export.xlsx",
        views.LessonListView.as_view(renderer="xlsx"),
        name="lesson_export_xlsx",
    ),
]
