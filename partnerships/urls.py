from django.urls import path

from partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path(
        "meetings/<slug:slug>/",
        views.MeetingDetailView.as_view(),
        name="meeting_detail",
    ),
    path(
        "action-points/", views.ActionPointListView.as_view(), name="action_point_list"
    ),
    path(
        "action-points/export.csv",
        views.action_point_export,
        name="action_point_export",
    ),
    path(
        "organisations/", views.OrganisationListView.as_view(), name="organisation_list"
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
]
