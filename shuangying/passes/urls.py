from django.urls import path

from . import views

app_name = "passes"
urlpatterns = [
    path("", views.PassListView.as_view(), name="pass_list"),
    path("new/", views.PassCreateView.as_view(), name="pass_create"),
    path("applications/", views.ApplicationListView.as_view(), name="application_list"),
    path(
        "applications/<int:pk>/decide/",
        views.ApplicationDecideView.as_view(),
        name="application_decide",
    ),
    path("<int:pk>/", views.PassDetailView.as_view(), name="pass_detail"),
    path("<int:pk>/print/", views.PassPrintView.as_view(), name="pass_print"),
    path("<int:pk>/revoke/", views.PassRevokeView.as_view(), name="pass_revoke"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/new/", views.RuleCreateView.as_view(), name="rule_create"),
    path("rules/<int:pk>/lift/", views.RuleLiftView.as_view(), name="rule_lift"),
    path("gate/", views.GateCheckView.as_view(), name="gate_check"),
    path("checks/", views.CheckListView.as_view(), name="check_list"),
]
