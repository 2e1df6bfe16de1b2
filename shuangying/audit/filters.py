"""The audit log's filter (M2): user, action, object type, date range, text in the summary."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .display import type_choices
from .models import AuditAction, AuditEvent

SORTS = {"-at": ("-at", "-id"), "at": ("at", "id")}


class AuditEventFilter(forms.Form):
    user = forms.CharField(label=_("用户"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期，例如 2020-02-01。")},
    )
    date_to = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期，例如 2020-02-29。")},
    )
    q = forms.CharField(label=_("摘要包含"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[("-at", _("时间从新到旧")), ("at", _("时间从旧到新"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("全部")), *type_choices(known_object_types())]
        for name in ("action", "object_type", "sort"):
            self.fields[name].error_messages["invalid_choice"] = _("请从列表中选择。")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def filter(self, queryset):
        """The queryset narrowed by the valid fields; nothing when the form has errors, so a
        mistyped filter never shows the whole log as if it matched."""
        if not self.is_bound:
            return queryset.order_by(*SORTS["-at"])
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        q = Q()
        if data["user"].strip():
            q &= Q(username__icontains=data["user"].strip())
        if data["action"]:
            q &= Q(action=data["action"])
        if data["object_type"]:
            q &= Q(object_type=data["object_type"])
        if data["object_id"].strip():
            q &= Q(object_id=data["object_id"].strip())
        tz = timezone.get_current_timezone()
        # Whole local days, as bounds on the indexed column (no per-row date conversion).
        if data["date_from"]:
            q &= Q(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
        if data["date_to"]:
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=tz)
            q &= Q(at__lt=end)
        if data["q"].strip():
            q &= Q(summary__icontains=data["q"].strip())
        return queryset.filter(q).order_by(*SORTS[data["sort"] or "-at"])

    def audit_detail(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v and k != "sort"}


def known_object_types() -> list[str]:
    """Object types of the latest events, beside the known ones: cheap on a log of millions
    of rows (a DISTINCT over the whole table is not)."""
    recent = AuditEvent.objects.order_by("-id").values_list("object_type", flat=True)[:2000]
    return sorted({t for t in recent if t})
