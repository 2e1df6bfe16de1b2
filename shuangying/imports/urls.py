from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.ImportListView.as_view(), name="import_list"),
    path("new/", views.ImportCreateView.as_view(), name="import_new"),
    path("template/<str:kind>/", views.ImportTemplateView.as_view(), name="import_template"),
    path("<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("<int:pk>/progress/", views.ImportProgressView.as_view(), name="import_progress"),
    path("<int:pk>/commit/", views.ImportCommitView.as_view(), name="import_commit"),
    path("<int:pk>/retry/", views.ImportRetryView.as_view(), name="import_retry"),
]
