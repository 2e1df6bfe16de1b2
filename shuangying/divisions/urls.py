from django.urls import path

from . import views

app_name = "divisions"
urlpatterns = [
    path("", views.DivisionTreeView.as_view(), name="division_tree"),
    path("<int:pk>/", views.DivisionDetailView.as_view(), name="division_detail"),
    path("<int:pk>/assignments/", views.AssignmentCreateView.as_view(), name="assignment_create"),
    path("leaders/<int:pk>/", views.LeaderAssignmentsView.as_view(), name="leader_assignments"),
]
