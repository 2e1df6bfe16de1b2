"""The one place the check-ins talk to the health codes (D1).

``shuangying.healthcodes`` is built alongside this app. Until it is installed, the result
page and the API answer a neutral "未知" code, and declared symptoms are not forwarded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class CodeView:
    colour: str
    label: str
    hex: str
    reason: str
    since: datetime | None = None
    until: datetime | None = None


logger = logging.getLogger(__name__)

UNKNOWN = CodeView(colour="unknown", label="未知", hex="#9e9e9e", reason="健康码服务暂不可用")

# Declarations that the health-code rules take as inputs (their event kinds).
SYMPTOMS_DECLARED = "symptoms_declared"
FEVER_UNRESOLVED = "fever_unresolved"
RISK_AREA_ARRIVAL = "risk_area_arrival"


def _module(name: str):
    """``shuangying.healthcodes.<name>`` when that app is installed, else None."""
    if not apps.is_installed("shuangying.healthcodes"):
        return None
    try:
        return import_module(f"shuangying.healthcodes.{name}")
    except ImportError:
        return None


def _services():
    """The health-code module that answers ``current_code``, or None."""
    for name in ("engine", "services"):
        module = _module(name)
        if module is not None and hasattr(module, "current_code"):
            return module
    return None


def facts_join(person_column: str):
    """(select list, join clause, facts_from_rows) to read a person's health events in the
    statement that reads the person, or None without the health-code app."""
    module = _module("engine")
    if module is None or not hasattr(module, "facts_join"):
        return None
    return (*module.facts_join(person_column), module.facts_from_rows)


def current_code(person, at=None, facts=None) -> CodeView:
    """The person's code now (or at ``at``; ``facts``: their events up to ``at``, read with
    ``facts_join``). A failure of the health-code rules is logged and answered as "未知": the
    check-in itself is already recorded and must not be lost."""
    module = _services()
    if module is None:
        return UNKNOWN
    try:
        return _compute(module, person, at, facts)
    except Exception:
        logger.exception("health code unavailable for person %s", person.pk)
        return UNKNOWN


def _compute(module, person, at, facts) -> CodeView:
    # The engine caches the day's compiled rule set per process (``engine.ruleset_for``).
    if facts is not None:
        result = module.current_code(person, at=at, facts=facts)
    else:
        result = module.current_code(person, at=at)
    return CodeView(
        colour=str(result.colour),
        label=str(result.label),
        hex=str(result.hex),
        reason=str(result.reason or ""),
        since=getattr(result, "since", None),
        until=getattr(result, "until", None),
    )


def record_health_event(*, person, kind: str, occurred_at, source: str, detail=None) -> bool:
    """Forward a declaration to the health-code rules; False when they are not installed."""
    module = _module("services")
    if module is None or not hasattr(module, "record_health_event"):
        return False
    fields = {"person": person, "kind": kind, "occurred_at": occurred_at, "source": source}
    if kind == RISK_AREA_ARRIVAL:
        # Declared as "中高风险地区" without a division code: at least medium.
        fields["risk_level"] = "medium"
    module.record_health_event(**fields, detail=detail)
    return True
