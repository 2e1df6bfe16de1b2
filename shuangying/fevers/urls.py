from django.urls import path

from . import views

app_name = "fevers"
urlpatterns = [
    path("", views.EpisodeListView.as_view(), name="episode_list"),
    path("desk/", views.EpisodeListView.as_view(desk=True), name="desk"),
    path("export/", views.EpisodeExportView.as_view(), name="episode_export"),
    path("<int:pk>/", views.EpisodeDetailView.as_view(), name="episode_detail"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/new/", views.ReportCreateView.as_view(), name="report_create"),
    path("reports/<int:pk>/resolve/", views.ReportResolveView.as_view(), name="report_resolve"),
    path("clinic/", views.ClinicRegisterView.as_view(), name="clinic_register"),
    path("pharmacy/", views.PharmacyRegisterView.as_view(), name="pharmacy_register"),
    # Public pages, no login.
    path("tipoff/", views.TipoffView.as_view(), name="tipoff"),
    path("pharmacy/<str:token>/", views.PharmacyPublicView.as_view(), name="pharmacy_public"),
]
