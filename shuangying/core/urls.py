from django.urls import path

from . import lookups, views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("lookup/", lookups.lookup, name="lookup"),
]
