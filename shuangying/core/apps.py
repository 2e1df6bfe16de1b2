from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuangying.core"
    label = "core"
    verbose_name = "Core"
