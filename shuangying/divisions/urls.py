from django.urls import path

from . import views

app_name = "divisions"
urlpatterns = [
    path("", views.DivisionTreeView.as_view(), name="division_tree"),
    path("<int:pk>/", views.DivisionDetailView.as_view(), name="division_detail"),
    path("leaders/<int:pk>/", views.LeaderAssignmentsView.as_view(), name="leader_assignments"),
]
