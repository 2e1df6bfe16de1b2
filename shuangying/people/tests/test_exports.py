"""M1/M2: exports are masked, filtered like the list, within jurisdiction, watermarked, audited."""

import io
import zipfile
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.core.excel import check_xlsx
from shuangying.people.exports import export_persons
from shuangying.people.filters import identifier_hash
from shuangying.people.models import Household, Person, StaffSurvey, Tag
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def all_xml(data: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def sheet_rows(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def plaintexts(people) -> list[str]:
    persons = (people.in_grid1a, people.in_grid1b, people.in_grid2a)
    return [p.reveal_id_number() for p in persons] + [p.reveal_phone() for p in persons]


def test_person_export_is_masked_watermarked_and_audited(client, personas, people):
    people.in_grid1a.tags.add(Tag.objects.get(code="returnee"))
    login(client, personas["county"])
    data = download(client, reverse("people:person_export"))
    check_xlsx(data)  # our own output passes our own upload checks

    xml = all_xml(data)
    for plain in plaintexts(people):
        assert plain not in xml
    assert "138****1111" in xml and people.in_grid1a.id_number_masked in xml
    assert "<oddHeader>&amp;L导出人：county 导出时间：" in xml
    assert "<oddFooter>&amp;L导出人：county" in xml

    rows = sheet_rows(data)
    assert rows[0][0].startswith("导出人：county 导出时间：")
    assert rows[1][:6] == [
        "姓名",
        "性别",
        "出生日期",
        "证件类型",
        "证件号码（已脱敏）",
        "联系电话（已脱敏）",
    ]
    body = {row[0]: row for row in rows[2:]}
    assert set(body) == {"张一甲", "李一乙", "王二甲"}
    zhang = body["张一甲"]
    assert zhang[4] == people.in_grid1a.id_number_masked and isinstance(zhang[4], str)
    assert zhang[5] == "138****1111"
    assert zhang[7] == "130682/100/201/01/" and zhang[12] == "返乡人员"

    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="person")
    assert event.user_id == personas["county"].pk and event.detail["rows"] == 3
    assert "导出人：county" in event.detail["watermark"]
    for plain in plaintexts(people):
        assert plain not in str(event.detail) and plain not in event.summary


def test_export_honours_jurisdiction(client, personas, people):
    login(client, personas["village1"])
    names = {row[0] for row in sheet_rows(download(client, reverse("people:person_export")))[2:]}
    assert names == {"张一甲", "李一乙"}

    # A grid worker given the export permission still exports only their grid.
    worker = make_user("grid1a_exporter", "grid_worker", [people.in_grid1a.division])
    worker.user_permissions.add(Permission.objects.get(codename="export_person"))
    login(client, worker)
    data = download(client, reverse("people:person_export"))
    names = {row[0] for row in sheet_rows(data)[2:]}
    assert names == {"张一甲"}
    assert "李一乙" not in all_xml(data) and "13800002222" not in all_xml(data)


def test_grid_worker_without_the_permission_cannot_export(client, personas, people):
    login(client, personas["grid1a"])
    assert client.get(reverse("people:person_export")).status_code == 403


def test_export_honours_the_list_filters(client, personas, people):
    login(client, personas["county"])
    grid1b = people.in_grid1b.division
    data = download(client, reverse("people:person_export") + f"?division={grid1b.pk}")
    assert [row[0] for row in sheet_rows(data)[2:]] == ["李一乙"]

    data = download(client, reverse("people:person_export") + "?q=王")
    assert [row[0] for row in sheet_rows(data)[2:]] == ["王二甲"]

    digest, _column = identifier_hash(people.in_grid1a.reveal_id_number())
    data = download(client, reverse("people:person_export") + f"?h={digest}")
    assert [row[0] for row in sheet_rows(data)[2:]] == ["张一甲"]
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("-id").first()
    assert event.detail == {
        "rows": 1,
        "filters": {"q": "证件号码或电话（完整）"},
        "watermark": event.detail["watermark"],
    }
    assert digest not in str(event.detail)

    data = download(client, reverse("people:person_export") + "?sort=-name&sex=M")
    names = [row[0] for row in sheet_rows(data)[2:]]
    expected = list(Person.objects.filter(sex="M").order_by("-name").values_list("name", flat=True))
    assert names == expected


def test_export_persons_function_streams_many_rows(personas, county):
    from shuangying.people.services import identity_fields, phone_fields

    Person.objects.bulk_create(
        Person(
            name=f"批量{i}",
            division=county.grid1a,
            **identity_fields("passport", f"E{i:08d}"),
            **phone_fields(f"139{i:08d}"),
        )
        for i in range(4500)
    )
    stream = io.BytesIO()
    count = export_persons(Person.objects.order_by("id"), personas["county"], stream)
    assert count == 4500
    rows = sheet_rows(stream.getvalue())
    assert len(rows) == 4502 and rows[-1][0] == "批量4499" and rows[-1][4] == "E0*****99"
    assert "E00004499" not in all_xml(stream.getvalue())


def test_household_export(client, personas, people):
    household = Household.objects.create(
        division=people.in_grid1a.division, number="A1", address="东村1号"
    )
    Household.objects.create(division=people.in_grid2a.division, number="B1", address="西村1号")
    people.in_grid1a.household = household
    people.in_grid1a.save()
    people.in_grid1a.tags.add(Tag.objects.get(code="returnee"))
    login(client, personas["village1"])
    rows = sheet_rows(download(client, reverse("people:household_export")))
    assert rows[0][0].startswith("导出人：village1")
    assert rows[2:] == [
        ["A1", "东村1号", "东村一网格", "130682/100/201/01/", 1.0, 1.0, "", rows[2][7]]
    ]
    login(client, personas["county"])
    rows = sheet_rows(download(client, reverse("people:household_export") + "?q=西村"))
    assert [row[0] for row in rows[2:]] == ["B1"]
    assert (
        AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="household").count() == 2
    )


def test_staff_survey_export(client, personas, people, county):
    person = people.in_grid2a
    person.workplace_department = county.health
    person.save()
    StaffSurvey.objects.create(
        department=county.health,
        person=person,
        survey_date=date(2020, 2, 10),
        holiday_whereabouts="在家",
        temperature="36.5",
    )
    login(client, personas["dept"])
    data = download(client, reverse("people:staff_survey_export"))
    rows = sheet_rows(data)
    assert rows[2][:5] == ["2020-02-10", "卫健局", "王二甲", person.id_number_masked, "138****3333"]
    assert rows[2][6:9] == ["否", "正常", 36.5]
    assert person.reveal_id_number() not in all_xml(data)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="staff_survey").exists()
    login(client, personas["village1"])
    assert client.get(reverse("people:staff_survey_export")).status_code == 403
