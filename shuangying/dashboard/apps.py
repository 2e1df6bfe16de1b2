from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The top of the layering: the home page (later the command centre and the daily report)
    and the demo loader. It may use every app; no app uses it."""

    name = "shuangying.dashboard"
    label = "dashboard"
    verbose_name = "工作台"

    def ready(self):
        from shuangying.audit.logging import register_object_type

        from . import registry

        registry.discover()
        register_object_type("demo", "演示数据")  # load_demo's audit row
