from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.ImportListView.as_view(), name="import_list"),
    path("new/", views.ImportListView.as_view(), name="import_new"),
]
