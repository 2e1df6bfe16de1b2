"""Excel exports of the people ledgers (B1, B2, B6) under M1 and M2.

An export holds exactly the rows of the list it comes from (the same filter, the same
jurisdiction), document numbers and phones only in their masked form, and a watermark naming
who exported it and when: in the first row and in the header and footer of every printed page.
Each export writes one audit row with the row count and the filters, never plaintext.

Rows are streamed: ``values_list`` of the needed columns through ``.iterator(chunk_size=2000)``
into ``shuangying.core.excel``'s streaming writer, into a temporary file; memory does not grow
with the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.views import View

from shuangying.audit.exports import CHUNK, export_rows, xlsx_response
from shuangying.core.excel import Column

from .choices import DocumentType, HealthStatus, Relation, Sex
from .filters import person_list_queryset
from .models import Household, Person, StaffSurvey

PERSON_COLUMNS = (
    Column("姓名", 10),
    Column("性别", 6),
    Column("出生日期", 12),
    Column("证件类型", 12),
    Column("证件号码（已脱敏）", 22),
    Column("联系电话（已脱敏）", 14),
    Column("所属网格", 16),
    Column("网格路径", 22),
    Column("户编号", 10),
    Column("与户主关系", 10),
    Column("现住址", 30),
    Column("工作单位", 20),
    Column("标签", 16),
    Column("核实状态", 8),
    Column("录入时间", 17),
)
HOUSEHOLD_COLUMNS = (
    Column("户编号", 10),
    Column("住址", 30),
    Column("所在区划", 16),
    Column("区划路径", 22),
    Column("人数", 8, text=False),
    Column("返乡人员", 8, text=False),
    Column("备注", 30),
    Column("建档时间", 17),
)
STAFF_SURVEY_COLUMNS = (
    Column("摸底日期", 12),
    Column("部门", 14),
    Column("姓名", 10),
    Column("证件号码（已脱敏）", 22),
    Column("联系电话（已脱敏）", 14),
    Column("假期行踪", 30),
    Column("假期曾离开本县", 10),
    Column("返岗首日健康状况", 12),
    Column("体温", 8, text=False),
    Column("备注", 30),
)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _local(value: datetime | None, tz=None) -> str:
    if not value:
        return ""
    return f"{value.astimezone(tz or timezone.get_current_timezone()):%Y-%m-%d %H:%M}"


def person_rows(queryset) -> Iterator[list]:
    """Export rows of a Person queryset, in its order, streamed; their tags read up front."""
    sexes, documents, relations = (
        _labels(Sex.choices),
        _labels(DocumentType.choices),
        _labels(Relation.choices),
    )
    tz = timezone.get_current_timezone()
    values = queryset.values_list(
        "pk",
        "name",
        "sex",
        "birth_date",
        "document_type",
        "id_number_masked",
        "phone_masked",
        "division__name",
        "division__path",
        "household__number",
        "relation_to_head",
        "address",
        "workplace",
        "is_verified",
        "created_at",
    ).iterator(chunk_size=CHUNK)
    # One transaction, with room to sort in memory: 100,000 rows ordered by name spilled to
    # disk with the default work_mem (4 MB), and in autocommit Django's cursor is declared
    # WITH HOLD, so PostgreSQL materialised them all once more before the first fetch.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        # The tags of every person exported, in one query joined to the export's own rows (only
        # tagged persons take room), not one query per chunk of ids.
        tags = defaultdict(list)
        for person_id, tag in (
            Person.tags.through.objects.filter(person__in=queryset.order_by().values("pk"))
            .order_by("tag__code")
            .values_list("person_id", "tag__name")
            .iterator(chunk_size=CHUNK)
        ):
            tags[person_id].append(tag)
        for (
            pk,
            name,
            sex,
            born,
            document_type,
            id_masked,
            phone_masked,
            division,
            path,
            household,
            relation,
            address,
            workplace,
            verified,
            created_at,
        ) in values:
            yield [
                name,
                sexes.get(sex, ""),
                born,
                documents.get(document_type, ""),
                id_masked,
                phone_masked,
                division,
                path,
                household,
                relations.get(relation, ""),
                address,
                workplace,
                "、".join(tags.get(pk, ())),
                "已核实" if verified else "待核实",
                _local(created_at, tz),
            ]


def export_persons(queryset, user, stream: IO[bytes], *, filters=None) -> int:
    """Write ``queryset`` (persons, already restricted and filtered, e.g. by
    ``person_list_queryset``) to ``stream`` as a watermarked xlsx with masked document numbers
    and phones; audit it; return the number of persons written."""
    return export_rows(
        stream=stream,
        user=user,
        sheet_name="人员台账",
        columns=PERSON_COLUMNS,
        rows=person_rows(queryset),
        object_type="person",
        filters=filters,
    )


def household_queryset(user, params):
    """The households of the household list for ``params`` (its ``q``), restricted."""
    qs = Household.objects.restrict(user)
    q = (params.get("q") or "").strip()[:40]
    if q:
        qs = qs.filter(Q(address__contains=q) | Q(number__contains=q))
    return qs.order_by("division__path", "number"), ({"q": q[:20]} if q else {})


def export_households(queryset, user, stream: IO[bytes], *, filters=None) -> int:
    """Write households (already restricted) with member and returnee counts; audited."""
    values = (
        queryset.annotate(
            member_count=Count("members", distinct=True),
            returnee_count=Count(
                "members", filter=Q(members__tags__code="returnee"), distinct=True
            ),
        )
        .values_list(
            "number",
            "address",
            "division__name",
            "division__path",
            "member_count",
            "returnee_count",
            "notes",
            "created_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    rows = ([*row[:7], _local(row[7])] for row in values)
    return export_rows(
        stream=stream,
        user=user,
        sheet_name="一户一档",
        columns=HOUSEHOLD_COLUMNS,
        rows=rows,
        object_type="household",
        filters=filters,
    )


def export_staff_surveys(queryset, user, stream: IO[bytes], *, filters=None) -> int:
    """Write staff survey rows (already restricted: ``StaffSurvey.objects.restrict``); audited."""
    health = _labels(HealthStatus.choices)
    values = queryset.values_list(
        "survey_date",
        "department__name",
        "person__name",
        "person__id_number_masked",
        "person__phone_masked",
        "holiday_whereabouts",
        "left_county",
        "health_status",
        "temperature",
        "notes",
    ).iterator(chunk_size=CHUNK)
    rows = (
        [*row[:6], "是" if row[6] else "否", health.get(row[7], ""), row[8], row[9]]
        for row in values
    )
    return export_rows(
        stream=stream,
        user=user,
        sheet_name="单位人员摸底",
        columns=STAFF_SURVEY_COLUMNS,
        rows=rows,
        object_type="staff_survey",
        filters=filters,
    )


class PersonExportView(PermissionRequiredMixin, View):
    """The people ledger as shown, with the list's filters (same query string)."""

    permission_required = "people.export_person"

    def get(self, request):
        form, queryset = person_list_queryset(request.user, request.GET)
        filters = form.audit_detail()
        return xlsx_response(
            lambda stream: export_persons(queryset, request.user, stream, filters=filters),
            "人员台账",
        )


class HouseholdExportView(PermissionRequiredMixin, View):
    permission_required = ("people.export_person", "people.view_household")

    def get(self, request):
        queryset, filters = household_queryset(request.user, request.GET)
        return xlsx_response(
            lambda stream: export_households(queryset, request.user, stream, filters=filters),
            "一户一档",
        )


class StaffSurveyExportView(PermissionRequiredMixin, View):
    permission_required = ("people.export_person", "people.view_staffsurvey")

    def get(self, request):
        queryset = StaffSurvey.objects.restrict(request.user).order_by(
            "-survey_date", "person__name"
        )
        return xlsx_response(
            lambda stream: export_staff_surveys(queryset, request.user, stream),
            "单位人员摸底",
        )
