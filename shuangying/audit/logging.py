"""One way for a model to write its audit rows (after pretix's ``LoggingMixin``):
``obj.log_action(AuditAction.UPDATE, summary=..., detail=...)`` instead of a ``record_event``
block repeated in every service. The actor and the address come from the audit context.

Object types get their Chinese label from the model's ``verbose_name``; object types that are
not a model (a report, the demo) are named once with ``register_object_type``."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from django.apps import apps

from .models import AuditAction, AuditEvent
from .services import record_event

_EXTRA_LABELS: dict[str, str] = {}


class Audited:
    """Mixin (no fields) for models whose acts are audited. ``audit_type`` is the object type
    written to the log; the model's name when left empty."""

    audit_type: ClassVar[str] = ""

    @classmethod
    def audit_object_type(cls) -> str:
        return cls.audit_type or cls._meta.model_name

    def log_action(
        self,
        action: AuditAction | str,
        *,
        summary: str = "",
        detail: dict[str, Any] | None = None,
        reason: str = "",
        user=None,
    ) -> AuditEvent:
        return record_event(
            user=user,
            action=action,
            object_type=self.audit_object_type(),
            object_id=self.pk,
            summary=summary,
            detail=detail,
            reason=reason,
        )


def register_object_type(name: str, label: str) -> None:
    """A Chinese label for an object type that is not an ``Audited`` model."""
    _EXTRA_LABELS[name] = label
    object_type_labels.cache_clear()


@cache
def object_type_labels() -> dict[str, str]:
    labels = {
        model.audit_object_type(): str(model._meta.verbose_name)
        for model in apps.get_models()
        if issubclass(model, Audited)
    }
    labels.update(_EXTRA_LABELS)
    return labels


def object_type_label(name: str) -> str:
    """The Chinese label of ``name``; the name itself when none is known."""
    return object_type_labels().get(name, name)
