from django.urls import path

from . import views

app_name = "healthcodes"
urlpatterns = [
    path("persons/<int:pk>/", views.PersonCodeView.as_view(), name="person_code"),
    path("persons/<int:pk>/appeal/", views.PersonAppealView.as_view(), name="person_appeal"),
    path("persons/<int:pk>/override/", views.PersonOverrideView.as_view(), name="person_override"),
    path(
        "persons/<int:pk>/arrival-review/",
        views.PersonArrivalReviewView.as_view(),
        name="person_arrival_review",
    ),
    path("overrides/", views.OverrideQueueView.as_view(), name="override_list"),
    path("appeals/", views.AppealQueueView.as_view(), name="appeal_list"),
    path("risk-areas/", views.RiskAreaListView.as_view(), name="riskarea_list"),
    path("risk-areas/import/", views.RiskAreaImportView.as_view(), name="riskarea_import"),
    path("rules/", views.RuleSetListView.as_view(), name="ruleset_list"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("my/", views.MyCodeView.as_view(), name="my_code"),
]
