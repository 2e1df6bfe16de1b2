from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class HealthcodesConfig(AppConfig):
    name = "shuangying.healthcodes"
    label = "healthcodes"
    verbose_name = "健康码"

    def ready(self) -> None:
        from .engine import forget_rulesets
        from .models import PaletteColour, Rule, RuleSet

        # The compiled rule set is cached per process (engine.ruleset_for): a change made here
        # is seen here at once.
        for model in (RuleSet, Rule, PaletteColour):
            post_save.connect(forget_rulesets, sender=model, dispatch_uid=f"rules-{model.__name__}")
            post_delete.connect(
                forget_rulesets, sender=model, dispatch_uid=f"rules-del-{model.__name__}"
            )
