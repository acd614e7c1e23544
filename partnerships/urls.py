from django.urls import path

from partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path(
        "meetings/export.csv",
        views.MeetingListView.as_view(renderer="csv"),
        name="meeting_export",
    ),
    path(
        "meetings/export.xlsx",
        views.MeetingListView.as_view(renderer="xlsx"),
        name="meeting_export_xlsx",
    ),
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
        views.ActionPointListView.as_view(renderer="csv"),
        name="action_point_export",
    ),
    path(
        "action-points/export.xlsx",
        views.ActionPointListView.as_view(renderer="xlsx"),
        name="action_point_export_xlsx",
    ),
]
