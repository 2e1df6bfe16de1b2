from django.apps import AppConfig


class CheckpointsConfig(AppConfig):
    name = "shuangying.checkpoints"
    label = "checkpoints"
    verbose_name = "卡口检查"
