"""Writes on health codes: one function per act, atomic, audited (STYLE: verb_noun).

Other modules (check-ins, checkpoints, quarantine, tracing) record facts through
``record_health_event`` and ``record_fevers``; the rules turn them into a colour (engine.py).
One module per workflow: events, decisions (overrides, appeals, arrival reviews), rules,
codes (issue and verify), risk areas.
"""

from .codes import IssuedCode, Verification, issue_code, person_ref, verify_code
from .decisions import decide_appeal, decide_override, file_appeal, request_override, review_arrival
from .events import (
    LEVEL_ORDER,
    FeverReading,
    code_prefix,
    declare_health,
    declare_trip,
    enqueue_reevaluation,
    record_fevers,
    record_health_event,
    refresh_state,
    risk_level_of,
)
from .riskareas import (
    LEVEL_WORDS,
    RISK_AREA_ALIASES,
    RISK_AREA_LABELS,
    RiskAreaImport,
    delete_risk_area,
    import_risk_areas,
    parse_risk_areas,
    save_risk_area,
)
from .rules import RuleSpec, create_ruleset, ensure_default_rules, rule_specs

__all__ = [
    "LEVEL_ORDER",
    "LEVEL_WORDS",
    "RISK_AREA_ALIASES",
    "RISK_AREA_LABELS",
    "FeverReading",
    "IssuedCode",
    "RiskAreaImport",
    "RuleSpec",
    "Verification",
    "code_prefix",
    "create_ruleset",
    "decide_appeal",
    "decide_override",
    "declare_health",
    "declare_trip",
    "delete_risk_area",
    "enqueue_reevaluation",
    "ensure_default_rules",
    "file_appeal",
    "import_risk_areas",
    "issue_code",
    "parse_risk_areas",
    "person_ref",
    "record_fevers",
    "record_health_event",
    "refresh_state",
    "request_override",
    "review_arrival",
    "risk_level_of",
    "rule_specs",
    "save_risk_area",
    "verify_code",
]
