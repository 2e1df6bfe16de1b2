from django.urls import path

from . import views

app_name = "checkins"
urlpatterns = [
    # The scan is the county's hottest request: matched second, after the one other
    # single-segment path (which a token would otherwise shadow). A token is one segment, so
    # the longer paths below stay reachable.
    path(
        "declarations/",
        views.PendingDeclarationListView.as_view(),
        name="pending_declarations",
    ),
    path("<str:token>/", views.PublicCheckinView.as_view(), name="public_checkin"),
    path(
        "persons/<int:pk>/trajectory/",
        views.PersonTrajectoryView.as_view(),
        name="person_trajectory",
    ),
    path(
        "persons/<int:pk>/trajectory/export/",
        views.PersonTrajectoryExportView.as_view(),
        name="person_trajectory_export",
    ),
    path("places/<int:pk>/visitors/", views.PlaceVisitorsView.as_view(), name="place_visitors"),
    path(
        "places/<int:pk>/visitors/export/",
        views.PlaceVisitorsExportView.as_view(),
        name="place_visitors_export",
    ),
    path(
        "declarations/<int:pk>/decide/",
        views.PendingDeclarationDecideView.as_view(),
        name="decide_declaration",
    ),
    path("r/<str:signed>/", views.CheckinResultView.as_view(), name="checkin_result"),
]
