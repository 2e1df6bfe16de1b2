"""Excel exports of trajectories and visitors (C5) through the people exports' helpers:
streamed, masked values only, watermarked, one audit row each (M1, M2)."""

from __future__ import annotations

from typing import IO

from django.utils import timezone

from shuangying.core.excel import Column
from shuangying.people.exports import CHUNK, export_rows

from .choices import Symptom, Travel

TRAJECTORY_COLUMNS = (
    Column("登记时间", 17),
    Column("场所", 20),
    Column("场所地址", 30),
    Column("所在区划", 16),
    Column("体温", 8, text=False),
    Column("发热", 6),
    Column("症状", 16),
    Column("14天内行程", 14),
)
VISITOR_COLUMNS = (
    Column("登记时间", 17),
    Column("姓名", 10),
    Column("证件号码(已脱敏)", 22),
    Column("联系电话(已脱敏)", 14),
    Column("体温", 8, text=False),
    Column("发热", 6),
    Column("症状", 16),
    Column("14天内行程", 14),
    Column("核实状态", 8),
)


def _symptoms(codes: str, labels: dict) -> str:
    return "、".join(labels.get(c, c) for c in codes.split(",") if c)


def _local(value, tz) -> str:
    return f"{value.astimezone(tz):%Y-%m-%d %H:%M}"


def export_trajectory(queryset, user, stream: IO[bytes], *, request, person, window) -> int:
    tz = timezone.get_current_timezone()
    symptoms, travel = dict(Symptom.choices), dict(Travel.choices)
    values = queryset.values_list(
        "checked_in_at",
        "place__name",
        "place__address",
        "place__division__name",
        "temperature",
        "has_fever",
        "symptoms",
        "travel",
    ).iterator(chunk_size=CHUNK)
    rows = (
        [
            _local(at, tz),
            name,
            address,
            division,
            temp,
            "是" if fever else "否",
            _symptoms(sym, symptoms),
            str(travel.get(tr, tr)),
        ]
        for at, name, address, division, temp, fever, sym, tr in values
    )
    return export_rows(
        stream=stream,
        user=user,
        request=request,
        sheet_name="行动轨迹",
        columns=TRAJECTORY_COLUMNS,
        rows=rows,
        object_type="person",
        filters={"person": person.pk, **window.as_detail()},
    )


def export_visitors(queryset, user, stream: IO[bytes], *, request, place, window) -> int:
    tz = timezone.get_current_timezone()
    symptoms, travel = dict(Symptom.choices), dict(Travel.choices)
    values = queryset.values_list(
        "checked_in_at",
        "person__name",
        "person__id_number_masked",
        "person__phone_masked",
        "temperature",
        "has_fever",
        "symptoms",
        "travel",
        "person__is_verified",
    ).iterator(chunk_size=CHUNK)
    rows = (
        [
            _local(at, tz),
            name,
            id_masked,
            phone_masked,
            temp,
            "是" if fever else "否",
            _symptoms(sym, symptoms),
            str(travel.get(tr, tr)),
            "已核实" if verified else "待核实",
        ]
        for at, name, id_masked, phone_masked, temp, fever, sym, tr, verified in values
    )
    return export_rows(
        stream=stream,
        user=user,
        request=request,
        sheet_name="场所到访人员",
        columns=VISITOR_COLUMNS,
        rows=rows,
        object_type="place",
        filters={"place": place.pk, **window.as_detail()},
    )
