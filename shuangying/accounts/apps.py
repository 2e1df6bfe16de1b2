from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "shuangying.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self):
        from .roles import sync_roles_after_migrate

        # Every app's post_migrate: roles sync once the last permission they name exists.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="shuangying.sync_roles")
