from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "shuangying.imports"
    label = "imports"
    verbose_name = "台账导入"
