"""The one place the check-ins talk to the health codes (D1).

``shuangying.healthcodes`` is built alongside this app. Until it is installed, the result
page and the API answer a neutral "未知" code, and declared symptoms are not forwarded.
"""

from __future__ import annotations

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


UNKNOWN = CodeView(colour="unknown", label="未知", hex="#9e9e9e", reason="健康码服务暂不可用")

# Declarations that the health-code rules take as inputs (their event kinds).
SYMPTOMS_DECLARED = "symptoms_declared"
FEVER_UNRESOLVED = "fever_unresolved"
RISK_AREA_ARRIVAL = "risk_area_arrival"


def _services():
    if not apps.is_installed("shuangying.healthcodes"):
        return None
    for name in (
        "shuangying.healthcodes.services",
        "shuangying.healthcodes.engine",
        "shuangying.healthcodes",
    ):
        try:
            module = import_module(name)
        except ImportError:
            continue
        if hasattr(module, "current_code"):
            return module
    return None


def current_code(person, at=None) -> CodeView:
    module = _services()
    if module is None:
        return UNKNOWN
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
    module = _services()
    if module is None or not hasattr(module, "record_health_event"):
        return False
    module.record_health_event(
        person=person, kind=kind, occurred_at=occurred_at, source=source, detail=detail
    )
    return True
