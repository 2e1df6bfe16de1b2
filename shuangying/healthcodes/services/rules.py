"""Rule sets: the health-code rules as data, versioned by the day they take effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction

from ..choices import (
    RULE_KINDS,
    EventKind,
)
from ..engine import local_day
from ..models import (
    PaletteColour,
    Rule,
    RuleSet,
)
from .events import enqueue_reevaluation

# --- rules -----------------------------------------------------------------------------------


@dataclass
class RuleSpec:
    kind: str
    colour: str
    duration_days: int
    priority: int
    reason: str
    risk_level: str = ""


@transaction.atomic
def create_ruleset(
    *,
    actor=None,
    name: str,
    effective_from: date,
    rules: list[RuleSpec],
    notes: str = "",
    reevaluate: bool = True,
) -> RuleSet:
    """A new version of the rules from ``effective_from``. Persons are re-evaluated set-based
    at once when it is already in force; a future version takes over through the daily
    re-evaluation (``reevaluate_all``)."""
    palette = dict(PaletteColour.objects.values_list("code", "is_default"))
    seen = set()
    for spec in rules:
        if spec.kind not in RULE_KINDS:
            raise ValidationError({"kind": f"不能为“{spec.kind}”设置规则"})
        if spec.colour not in palette:
            raise ValidationError({"colour": f"码色“{spec.colour}”不存在"})
        if (spec.kind, spec.risk_level) in seen:
            raise ValidationError({"kind": "同一情形只能有一条规则"})
        seen.add((spec.kind, spec.risk_level))
        if spec.kind == EventKind.QUARANTINE_STARTED and palette[spec.colour]:
            raise ValidationError({"colour": "隔离期间不能赋无风险的颜色"})
    if (EventKind.QUARANTINE_STARTED, "") not in seen:
        raise ValidationError({"kind": "规则须包含“开始隔离”"})
    last = RuleSet.objects.order_by("-version").values_list("version", flat=True).first() or 0
    ruleset = RuleSet.objects.create(
        version=last + 1,
        name=name,
        effective_from=effective_from,
        notes=notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    Rule.objects.bulk_create(
        [
            Rule(
                ruleset=ruleset,
                kind=s.kind,
                risk_level=s.risk_level,
                colour_id=s.colour,
                duration_days=s.duration_days,
                priority=s.priority,
                reason=s.reason,
            )
            for s in rules
        ]
    )
    ruleset.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"新赋码规则 v{ruleset.version}，{effective_from:%Y-%m-%d} 起生效",
    )
    if reevaluate and effective_from <= local_day(timezone.now()):
        transaction.on_commit(enqueue_reevaluation)
    return ruleset


def ensure_default_rules() -> None:
    """The palette and rule set v1 of migration 0002, when a flush has removed them
    (transactional tests, a fresh demo database)."""
    from importlib import import_module

    migration = import_module("shuangying.healthcodes.migrations.0002_default_rules")
    migration.seed_defaults(PaletteColour, RuleSet, Rule)


def rule_specs(ruleset: RuleSet) -> list[RuleSpec]:
    return [
        RuleSpec(r.kind, r.colour_id, r.duration_days, r.priority, r.reason, r.risk_level)
        for r in ruleset.rules.all()
    ]
