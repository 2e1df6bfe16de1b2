from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.PlaceListView.as_view(), name="place_list"),
    path("<int:pk>/", views.PlaceDetailView.as_view(), name="place_detail"),
]
