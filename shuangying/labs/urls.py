from django.urls import path

from . import views

app_name = "labs"
urlpatterns = [
    path("", views.LabListView.as_view(), name="lab_list"),
    path("<int:pk>/queue/", views.QueueView.as_view(), name="queue"),
    path("<int:pk>/queue/export/", views.QueueExportView.as_view(), name="queue_export"),
    path("samples/new/", views.SampleCreateView.as_view(), name="sample_create"),
    path("results/new/", views.ResultEntryView.as_view(), name="result_entry"),
    path("results/upload/", views.ResultUploadView.as_view(), name="result_upload"),
    path("resample/", views.ResampleListView.as_view(), name="resample_list"),
    path("resample/export/", views.ResampleExportView.as_view(), name="resample_export"),
]
