from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shuangying.people"
    label = "people"
    verbose_name = "人员与户籍"

    def ready(self) -> None:
        from shuangying.divisions.counts import register_subtree_counter
        from shuangying.imports.ledgers import register_ledger

        from .ledgers import HouseholdLedger, PersonLedger
        from .querysets import households_per_subtree, persons_per_subtree

        register_ledger(PersonLedger)
        register_ledger(HouseholdLedger)
        register_subtree_counter("persons", persons_per_subtree)
        register_subtree_counter("households", households_per_subtree)
