from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("export/", views.CaseExportView.as_view(), name="case_export"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/reclassify/", views.CaseReclassifyView.as_view(), name="case_reclassify"),
    path("<int:pk>/admit/", views.CaseAdmitView.as_view(), name="case_admit"),
    path(
        "admissions/<int:pk>/discharge/",
        views.AdmissionDischargeView.as_view(),
        name="admission_discharge",
    ),
    path("hospitals/", views.HospitalListView.as_view(), name="hospital_list"),
    path("hospitals/export/", views.HospitalExportView.as_view(), name="hospital_export"),
    path("teams/", views.TeamListView.as_view(), name="team_list"),
    path("teams/export/", views.TeamExportView.as_view(), name="team_export"),
]
