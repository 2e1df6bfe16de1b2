from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "shuangying.divisions"
    label = "divisions"
    verbose_name = "行政区划"
