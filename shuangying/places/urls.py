from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.PlaceListView.as_view(), name="place_list"),
    path("new/", views.PlaceCreateView.as_view(), name="place_create"),
    path("export/", views.PlaceExportView.as_view(), name="place_export"),
    path("posters/", views.PosterBatchCreateView.as_view(), name="poster_batch_create"),
    path("posters/<int:pk>/", views.PosterBatchView.as_view(), name="poster_batch"),
    path("<int:pk>/", views.PlaceDetailView.as_view(), name="place_detail"),
    path("<int:pk>/edit/", views.PlaceUpdateView.as_view(), name="place_update"),
    path("<int:pk>/code/", views.PlaceCodeReissueView.as_view(), name="code_reissue"),
    path("<int:pk>/code/revoke/", views.PlaceCodeRevokeView.as_view(), name="code_revoke"),
    path("<int:pk>/poster.pdf", views.PlacePosterView.as_view(), name="place_poster"),
]
