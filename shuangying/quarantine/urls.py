from django.urls import path

from . import report_views, views

app_name = "quarantine"
urlpatterns = [
    path("", views.DeskView.as_view(), name="desk"),
    path("export/", views.OrderExportView.as_view(), name="order_export"),
    path("new/", views.OrderCreateView.as_view(), name="order_create"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("<int:pk>/change/", views.OrderChangeView.as_view(), name="order_change"),
    path("<int:pk>/release/", views.OrderReleaseView.as_view(), name="order_release"),
    path("<int:pk>/room/", views.OrderRoomView.as_view(), name="order_room"),
    path("<int:pk>/notice.pdf", views.OrderNoticeView.as_view(), name="order_notice"),
    path(
        "<int:pk>/certificate.pdf", views.OrderCertificateView.as_view(), name="order_certificate"
    ),
    path("<int:pk>/report/", report_views.OrderReportView.as_view(), name="order_report"),
    path("missing/", report_views.MissingView.as_view(), name="missing"),
    path("r/<str:token>/", report_views.public_report, name="public_report"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/<int:pk>/", views.SiteBoardView.as_view(), name="site_board"),
    path("sites/<int:pk>/export/", views.SiteExportView.as_view(), name="site_export"),
    path("rooms/<int:pk>/cleaned/", views.RoomCleanedView.as_view(), name="room_cleaned"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
