"""Labs and sampling points: the county's testing set-up."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from shuangying.audit.models import AuditAction

from ..models import Lab, SamplingPoint


@transaction.atomic
def create_lab(*, name: str, division, daily_capacity: int, actor=None) -> Lab:
    if daily_capacity is None or daily_capacity < 1:
        raise ValidationError({"daily_capacity": "日检测能力：至少为1"})
    if Lab.objects.filter(name=name).exists():
        raise ValidationError({"name": "名称：已有同名实验室"})
    lab = Lab.objects.create(name=name, division=division, daily_capacity=daily_capacity)
    lab.log_action(
        AuditAction.CREATE, user=actor, summary=f"新增实验室 {name} 日{daily_capacity}管"
    )
    return lab


@transaction.atomic
def create_sampling_point(*, name: str, division, address: str = "", actor=None) -> SamplingPoint:
    point = SamplingPoint.objects.create(name=name, division=division, address=address)
    point.log_action(AuditAction.CREATE, user=actor, summary=f"新增采样点 {name}")
    return point
