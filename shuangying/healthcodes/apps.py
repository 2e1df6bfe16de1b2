from django.apps import AppConfig


class HealthcodesConfig(AppConfig):
    name = "shuangying.healthcodes"
    label = "healthcodes"
    verbose_name = "健康码"
