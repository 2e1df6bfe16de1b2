from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shuangying.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .ratelimit import create_counter_table

        post_migrate.connect(create_counter_table, sender=self)
