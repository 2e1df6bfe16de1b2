"""The audit log as people read it: Chinese names for object types and detail keys, and a
detail rendered to (label, text) pairs before it reaches a template.

A row's ``detail`` is data written by every app: a template must never look anything up on it
(``detail.items`` is the dict's key "items" when a batch writes ``{"items": 3}``)."""

from __future__ import annotations

from typing import Any

from .logging import object_type_label, object_type_labels

# Object types written before their model carries ``Audited`` (or that are no model): the
# model's verbose_name wins once it does.
OBJECT_TYPES = {
    "api_token": "API令牌",
    "assignment": "包保责任",
    "audit_event": "审计日志",
    "checkin": "扫码登记",
    "checkpoint_record": "卡口登记",
    "closed_management_rule": "封闭管理规则",
    "demo": "演示数据",
    "dispatch_order": "调用指令",
    "division": "区划",
    "donation": "捐赠",
    "health_code": "健康码",
    "health_code_appeal": "健康码申诉",
    "health_code_override": "健康码人工改码",
    "health_code_ruleset": "健康码规则",
    "health_event": "健康事件",
    "household": "户",
    "import_job": "导入任务",
    "pass": "通行证",
    "pass_application": "通行证申请",
    "person": "人员",
    "place": "场所",
    "purchase_request": "采购申请",
    "risk_area": "风险地区",
    "staff_survey": "单位人员摸底",
    "stock_balance": "库存",
    "stock_move": "库存变动",
    "supplies_report": "物资报表",
    "user": "用户",
}

DETAIL_KEYS = {
    "action": "操作",
    "admit_outsiders": "允许外来人员进入",
    "after": "修改后",
    "batch": "批次",
    "before": "修改前",
    "bytes": "字节数",
    "checkin": "扫码登记",
    "closes_at": "关闭时间",
    "code": "代码",
    "colour": "颜色",
    "count": "数量",
    "created": "新建",
    "date_from": "开始日期",
    "date_to": "结束日期",
    "department": "部门",
    "division": "区划",
    "divisions": "管辖区划",
    "document": "证件",
    "end": "结束",
    "errors": "错误",
    "exit_interval_days": "出门间隔天数",
    "fields": "字段",
    "filters": "筛选条件",
    "full_name": "姓名",
    "id_number": "证件号码",
    "is_active": "启用",
    "items": "条数",
    "kind": "类型",
    "level": "等级",
    "limit": "每页条数",
    "locked": "已锁定",
    "name": "名称",
    "new_persons": "新增人员",
    "object_id": "对象编号",
    "object_type": "对象类型",
    "occurred_at": "发生时间",
    "offset": "起始位置",
    "opens_at": "开放时间",
    "override": "改码",
    "passages": "通行记录",
    "person": "人员",
    "phone": "电话",
    "place": "场所",
    "plate": "车牌",
    "q": "搜索",
    "reason": "原因",
    "records": "记录数",
    "revoked": "已作废",
    "review": "复核",
    "risk_level": "风险等级",
    "role": "角色",
    "roles": "角色",
    "rows": "行数",
    "sex": "性别",
    "sort": "排序",
    "source": "来源",
    "start": "开始",
    "status": "状态",
    "tag": "标签",
    "type": "类型",
    "user": "用户",
    "username": "用户名",
    "verified": "已核实",
    "watermark": "水印",
}


def type_label(name: str) -> str:
    """The Chinese name of an object type: the model's, else the table above, else the name."""
    label = object_type_label(name)
    return OBJECT_TYPES.get(name, label) if label == name else label


def type_choices(recent: list[str]) -> list[tuple[str, str]]:
    """(object type, Chinese name) for the filter: every known type and those in ``recent``."""
    names = set(OBJECT_TYPES) | set(object_type_labels()) | {t for t in recent if t}
    return sorted(((n, type_label(n)) for n in names), key=lambda c: (c[1], c[0]))


def key_label(key: Any) -> str:
    return DETAIL_KEYS.get(str(key), str(key))


def value_text(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "；".join(f"{key_label(k)}：{value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value) or "—"
    return str(value)


def detail_rows(detail: Any) -> list[tuple[str, str]]:
    """A row's detail as (label, text) pairs, whatever shape it was written in."""
    if not detail:
        return []
    if not isinstance(detail, dict):
        return [("详情", value_text(detail))]
    return [(key_label(k), value_text(v)) for k, v in detail.items()]
