"""Excel exports of trajectories and visitors (C5) through the people exports' helpers:
streamed, masked values only, watermarked, one audit row each (M1, M2). The rows are the
trajectory module's one ordered query (check-ins and checkpoint passages in time order),
read in chunks."""

from __future__ import annotations

from typing import IO

from django.utils import timezone

from shuangying.audit.exports import CHUNK, export_rows
from shuangying.core.excel import Column

from .trajectory import TrajectoryRow, VisitorRow

TRAJECTORY_COLUMNS = (
    Column("时间", 17),
    Column("类别", 10),
    Column("场所/卡口", 20),
    Column("场所地址", 30),
    Column("所在区划", 16),
    Column("体温", 8, text=False),
    Column("发热", 6),
    Column("症状", 16),
    Column("14天内行程", 14),
    Column("卡口处置", 20),
)
VISITOR_COLUMNS = (
    Column("时间", 17),
    Column("类别", 10),
    Column("姓名", 10),
    Column("证件号码（已脱敏）", 22),
    Column("联系电话（已脱敏）", 14),
    Column("体温", 8, text=False),
    Column("发热", 6),
    Column("症状", 16),
    Column("14天内行程", 14),
    Column("卡口处置", 20),
    Column("核实状态", 8),
)


def _local(value, tz) -> str:
    return f"{value.astimezone(tz):%Y-%m-%d %H:%M}"


def _common(r, tz) -> tuple[list, list]:
    """The leading (time, kind) and trailing (temperature … checkpoint outcome) cells."""
    head = [_local(r.at, tz), r.kind_label]
    tail = [
        r.temperature,
        "是" if r.has_fever else "否",
        r.symptoms_label,
        "" if r.is_passage else r.travel_label,
        r.passage_label if r.is_passage else "",
    ]
    return head, tail


def export_trajectory(queryset, user, stream: IO[bytes], *, person, window) -> int:
    tz = timezone.get_current_timezone()

    def rows():
        for item in queryset.iterator(chunk_size=CHUNK):
            r = TrajectoryRow(**item)
            head, tail = _common(r, tz)
            yield [*head, r.place_name, r.place_address, r.division_name, *tail]

    return export_rows(
        stream=stream,
        user=user,
        sheet_name="行动轨迹",
        columns=TRAJECTORY_COLUMNS,
        rows=rows(),
        object_type="person",
        filters={"person": person.pk, **window.as_detail()},
    )


def _verified(r) -> str:
    if r.person_id is None:
        return "未登记"
    return "已核实" if r.is_verified else "待核实"


def export_visitors(queryset, user, stream: IO[bytes], *, place, window) -> int:
    tz = timezone.get_current_timezone()

    def rows():
        for item in queryset.iterator(chunk_size=CHUNK):
            r = VisitorRow(**item)
            head, tail = _common(r, tz)
            yield [
                *head,
                r.person_name,
                r.id_number_masked or "",
                r.phone_masked or "",
                *tail,
                _verified(r),
            ]

    return export_rows(
        stream=stream,
        user=user,
        sheet_name="场所到访人员",
        columns=VISITOR_COLUMNS,
        rows=rows(),
        object_type="place",
        filters={"place": place.pk, **window.as_detail()},
    )
