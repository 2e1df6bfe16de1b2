from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "shuangying.passes"
    label = "passes"
    verbose_name = "封闭管理与通行证"
