from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shuangying.cases"
    label = "cases"
    verbose_name = "病例与救治"
