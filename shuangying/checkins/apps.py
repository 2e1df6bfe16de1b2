from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "shuangying.checkins"
    verbose_name = "扫码登记"
    default_auto_field = "django.db.models.BigAutoField"
