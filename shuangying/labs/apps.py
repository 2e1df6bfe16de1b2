from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "shuangying.labs"
    label = "labs"
    verbose_name = "采样与检测"

    def ready(self) -> None:
        from shuangying.imports.ledgers import register_ledger

        from .ledger import LabResultLedger

        register_ledger(LabResultLedger)
