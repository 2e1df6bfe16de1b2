"""Writes on the division tree (A1) and assignments (A3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from shuangying.audit.models import AuditAction

from .choices import KIND_LEVEL, DivisionKind
from .codes import segment_for
from .models import Assignment, Division


def build_division(*, parent: Division | None, kind: str, code: str, name: str) -> Division:
    """An unsaved, validated Division with its level and path worked out."""
    try:
        kind = DivisionKind(kind)
    except ValueError:
        raise ValidationError({"kind": f"区划类型无效：{kind}"}) from None
    level = KIND_LEVEL[kind]
    if parent is None and level != 1:
        raise ValidationError({"parent": "只有县级区划可以没有上级"})
    if parent is not None and not (parent.level < level and level - parent.level <= 2):
        raise ValidationError({"kind": f"{kind.label}不能直接隶属于{parent.get_level_display()}"})
    if not (name or "").strip():
        raise ValidationError({"name": "名称不能为空"})
    segment = segment_for(kind, code.strip(), parent.code if parent else None)
    path = (parent.path if parent else "") + segment + "/"
    return Division(
        parent=parent, kind=kind, level=level, code=code.strip(), name=name.strip(), path=path
    )


@transaction.atomic
def create_division(*, actor=None, parent, kind, code, name) -> Division:
    """Add a division; audited when an ``actor`` adds it (imports and the demo write the tree
    without one: their own audit row covers the whole file)."""
    division = build_division(parent=parent, kind=kind, code=code, name=name)
    if Division.objects.filter(path=division.path).exists():
        raise ValidationError({"code": f"代码{code}在上级区划下已存在"})
    division.save()
    if actor is not None:
        division.log_action(
            AuditAction.CREATE, user=actor, summary=f"新增区划 {division.name} {division.code}"
        )
    return division


@transaction.atomic
def assign_responsibility(
    *, actor=None, target, leader=None, unit=None, duty="包联", start_date=None
) -> Assignment:
    """Make a leader and/or a unit answer for ``target`` (A3)."""
    from django.contrib.contenttypes.models import ContentType

    if leader is None and unit is None:
        raise ValidationError({"leader": "请指定责任领导或责任单位"})
    assignment = Assignment.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        leader=leader,
        unit=unit,
        duty=duty,
        start_date=start_date,
    )
    if actor is not None:
        assignment.log_action(AuditAction.CREATE, user=actor, summary=f"包联 {assignment}")
    return assignment


def assignments_for(target):
    from django.contrib.contenttypes.models import ContentType

    return Assignment.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).select_related("leader", "unit")
