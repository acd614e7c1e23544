from django.urls import path

from api import views
from partnerships.views import (
    ActionPointListView,
    MeetingListView,
    StrategyListView,
)
from practices.views import LessonListView, OrganisationListView, PracticeListView

app_name = "api"


def listing(route, listing_view, name):
    """The API list of a ListingView: its parameters, rows, order and facets."""
    view = views.ListingAPIView.as_view(listing_view=listing_view)
    return path(route, view, name=name)


urlpatterns = [
    listing("practices/", PracticeListView, "practice_list"),
    listing("action-points/", ActionPointListView, "action_point_list"),
    listing("organisations/", OrganisationListView, "organisation_list"),
    listing("meetings/", MeetingListView, "meeting_list"),
    listing("lessons/", LessonListView, "lesson_list"),
    listing("strategies/", StrategyListView, "strategy_list"),
    path(
        "practices/<slug:slug>/",
        views.PracticeDetailAPIView.as_view(),
        name="practice_detail",
    ),
    path(
        "meetings/<slug:slug>/",
        views.MeetingDetailAPIView.as_view(),
        name="meeting_detail",
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailAPIView.as_view(),
        name="organisation_detail",
    ),
    path("openapi.json", views.SchemaView.as_view(), name="openapi"),
    path("docs/", views.DocsView.as_view(), name="docs"),
]
