from django.urls import path

from . import views

app_name = "checkins"
urlpatterns = [
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
        "declarations/",
        views.PendingDeclarationListView.as_view(),
        name="pending_declarations",
    ),
    path(
        "declarations/<int:pk>/decide/",
        views.PendingDeclarationDecideView.as_view(),
        name="decide_declaration",
    ),
    path("r/<str:signed>/", views.CheckinResultView.as_view(), name="checkin_result"),
    path("<str:token>/", views.PublicCheckinView.as_view(), name="public_checkin"),
]
