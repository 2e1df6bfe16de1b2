from django.apps import AppConfig


class SuppliesConfig(AppConfig):
    name = "shuangying.supplies"
    label = "supplies"
    verbose_name = "应急物资"
