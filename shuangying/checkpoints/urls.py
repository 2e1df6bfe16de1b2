from django.urls import path

from . import views

app_name = "checkpoints"
urlpatterns = [
    path("", views.CheckpointModeView.as_view(), name="checkpoint_mode"),
    path("sw.js", views.ServiceWorkerView.as_view(), name="service_worker"),
    path("fevers/", views.FeverAlertView.as_view(), name="fever_alerts"),
    path("fevers/new/", views.FeverPartialView.as_view(), name="fever_partial"),
    path("fevers/<int:pk>/handle/", views.FeverHandleView.as_view(), name="fever_handle"),
    path("dashboard/", views.CounterDashboardView.as_view(), name="dashboard"),
    path("dashboard/export/", views.CounterExportView.as_view(), name="dashboard_export"),
]
