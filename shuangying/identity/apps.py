from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "shuangying.identity"
    verbose_name = "公众身份绑定"
    default_auto_field = "django.db.models.BigAutoField"
