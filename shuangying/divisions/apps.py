from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "shuangying.divisions"
    label = "divisions"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from shuangying.imports.ledgers import register_ledger

        from .ledgers import DivisionLedger

        register_ledger(DivisionLedger)
