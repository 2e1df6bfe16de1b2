from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shuangying.people"
    label = "people"
    verbose_name = "人员与户籍"

    def ready(self) -> None:
        from shuangying.imports.ledgers import register_ledger

        from .ledgers import HouseholdLedger, PersonLedger

        register_ledger(PersonLedger)
        register_ledger(HouseholdLedger)
