from django.urls import path

from core.listing.urls import list_routes
from partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("sectors/<slug:slug>/", views.SectorDetailView.as_view(), name="sector"),
    *list_routes("meetings/", views.MeetingListView, "meeting_list", "meeting_export"),
    path(
        "meetings/<slug:slug>/",
        views.MeetingDetailView.as_view(),
        name="meeting_detail",
    ),
    *list_routes(
        "action-points/",
        views.ActionPointListView,
        "action_point_list",
        "action_point_export",
    ),
    *list_routes(
        "strategies/",
        views.StrategyListView,
        "strategy_list",
        "strategy_export",
    ),
    path("for/", views.audience_list, name="audience_list"),
    path("for/<slug:slug>/", views.audience_detail, name="audience_detail"),
]
