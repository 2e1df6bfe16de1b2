from django.apps import AppConfig


class FeversConfig(AppConfig):
    name = "shuangying.fevers"
    label = "fevers"
    verbose_name = "发热闭环"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
