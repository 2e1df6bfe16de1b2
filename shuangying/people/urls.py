from django.urls import path

from . import exports, views

app_name = "people"
urlpatterns = [
    path("", views.PersonListView.as_view(), name="person_list"),
    path("new/", views.PersonCreateView.as_view(), name="person_create"),
    path("export/", exports.PersonExportView.as_view(), name="person_export"),
    path("<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person_update"),
    path("<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person_reveal"),
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/export/", exports.HouseholdExportView.as_view(), name="household_export"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"),
    path("staff-survey/", views.StaffSurveyListView.as_view(), name="staff_survey_list"),
    path("staff-survey/new/", views.StaffSurveyCreateView.as_view(), name="staff_survey_create"),
    path(
        "staff-survey/export/", exports.StaffSurveyExportView.as_view(), name="staff_survey_export"
    ),
]
