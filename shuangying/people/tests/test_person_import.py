"""B1/M1: the persons ledger, row by row, all-or-nothing or valid rows only, idempotent."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shuangying.audit.models import AuditAction, AuditEvent
from shuangying.imports.services import import_file, import_persons_file
from shuangying.imports.tests.xlsx import (
    GRID1A,
    GRID1B,
    GRID2A,
    PERSON_HEADERS,
    bad_check_digit,
    make_xlsx,
    person_row,
    resident_id,
)
from shuangying.people.identity import check_char, make_resident_id
from shuangying.people.models import Household, Person, id_number_hash

pytestmark = pytest.mark.django_db

BAD_ROWS = {12: "check digit", 32: "future birth", 52: "phone", 72: "unknown grid", 92: "outside"}


def future_id() -> str:
    born = timezone.localdate() + timedelta(days=400)
    first17 = f"130682{born:%Y%m%d}123"
    return first17 + check_char(first17)


def ledger_with_five_bad_rows() -> bytes:
    """100 rows (Excel rows 2–101), 5 % bad: one of each kind of mistake."""
    rows = []
    for i in range(100):
        excel_row = i + 2
        row = person_row(1000 + i, GRID1A if i % 2 else GRID1B)
        problem = BAD_ROWS.get(excel_row)
        if problem == "check digit":
            row[2] = bad_check_digit(row[2])
        elif problem == "future birth":
            row[2] = future_id()
        elif problem == "phone":
            row[3] = "1234567"
        elif problem == "unknown grid":
            row[4] = "130682/100/201/99/"
        elif problem == "outside":
            row[4] = GRID2A
        rows.append(row)
    return make_xlsx(PERSON_HEADERS, rows)


def test_dry_run_reports_exactly_the_bad_rows(personas, people):
    before = Person.objects.count()
    report = import_persons_file(ledger_with_five_bad_rows(), personas["village1"], commit=False)
    assert report.file_error == ""
    assert report.total_rows == 100
    assert report.error_rows == 5
    assert {e["row"] for e in report.errors} == set(BAD_ROWS)
    by_row = {e["row"]: e for e in report.errors}
    assert by_row[12] == {"row": 12, "column": "证件号码", "message": "身份证号码校验位错误"}
    assert by_row[32]["message"] == "出生日期在未来"
    assert by_row[52]["column"] == "联系电话"
    assert "不存在" in by_row[72]["message"]
    assert by_row[92]["column"] == "所属网格"
    assert "不在您的管辖范围内" in by_row[92]["message"]
    assert report.messages()[0] == "第12行 证件号码：身份证号码校验位错误"
    assert report.created == 95 and report.skipped == 100  # all-or-nothing would write nothing
    assert Person.objects.count() == before


def test_all_or_nothing_writes_nothing(personas, people):
    before = Person.objects.count()
    report = import_persons_file(ledger_with_five_bad_rows(), personas["village1"], "all")
    assert report.rolled_back and not report.committed
    assert report.created == 0 and report.skipped == 100 and report.error_rows == 5
    assert Person.objects.count() == before
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, object_type="person")
    assert event.user_id == personas["village1"].pk
    assert "未写入任何数据" in event.summary


def test_valid_only_writes_exactly_the_valid_rows_then_reimport_adds_nothing(personas, people):
    before = Person.objects.count()
    data = ledger_with_five_bad_rows()
    report = import_persons_file(data, personas["village1"], "valid")
    assert report.committed
    assert (report.created, report.existing, report.updated, report.skipped) == (95, 0, 0, 5)
    assert Person.objects.count() == before + 95
    # The bad rows are not there; a good one is, encrypted like a form-registered person.
    good = person_row(1001, GRID1A)
    person = Person.objects.get(id_number_hash=id_number_hash(good[2]))
    assert person.name == "测试1001"
    assert person.reveal_id_number() == good[2]
    assert person.id_number_masked == good[2][:6] + "********" + good[2][-4:]
    assert person.reveal_phone() == good[3] and person.phone_masked == "139****1001"
    assert person.division.path == GRID1A
    assert person.sex in ("M", "F") and person.birth_date is not None
    assert not Person.objects.filter(division__path=GRID2A, name__startswith="测试").exists()

    again = import_persons_file(data, personas["village1"], "valid")
    assert (again.created, again.existing, again.updated) == (0, 95, 0)
    assert Person.objects.count() == before + 95


def test_valid_file_all_or_nothing_writes_everything(personas, people):
    rows = [person_row(2000 + i, GRID1A) for i in range(30)]
    report = import_persons_file(make_xlsx(PERSON_HEADERS, rows), personas["village1"], "all")
    assert report.committed and report.created == 30 and report.error_rows == 0
    assert Person.objects.filter(name__startswith="测试").count() == 30


def test_duplicate_document_in_file_is_an_error_on_the_later_row(personas, people):
    rows = [person_row(1, GRID1A), person_row(2, GRID1A), person_row(1, GRID1B, 姓名="又一个")]
    report = import_persons_file(make_xlsx(PERSON_HEADERS, rows), personas["village1"], "valid")
    assert report.messages() == ["第4行 证件号码：证件号码与第2行重复"]
    assert report.created == 2
    assert not Person.objects.filter(name="又一个").exists()


def test_already_registered_person_is_existing(personas, people):
    plain = people.in_grid1a.reveal_id_number()
    rows = [person_row(1, GRID1A, 证件号码=plain, 姓名="改名不生效")]
    report = import_persons_file(make_xlsx(PERSON_HEADERS, rows), personas["village1"], "all")
    assert (report.created, report.existing) == (0, 1)
    people.in_grid1a.refresh_from_db()
    assert people.in_grid1a.name == "张一甲"


def test_numeric_id_cells(personas, county):
    long_id = resident_id(5)
    old_15 = "130682850601051"  # first-generation number, exact as an Excel number
    rows = [
        person_row(5, GRID1A, 证件号码=float(long_id)),
        person_row(6, GRID1A, 证件号码=int(old_15), 联系电话=13912345678),
    ]
    report = import_persons_file(make_xlsx(PERSON_HEADERS, rows), personas["village1"], "valid")
    assert [e["row"] for e in report.errors] == [2]
    assert "数字格式" in report.errors[0]["message"]
    assert report.created == 1
    person = Person.objects.get(name="测试6")
    first17 = old_15[:6] + "19" + old_15[6:]
    assert person.reveal_id_number() == first17 + check_char(first17)
    assert person.reveal_phone() == "13912345678"


def test_grid_by_code_name_and_path_forms(personas, county):
    ident = [resident_id(n) for n in range(21, 27)]
    rows = [
        person_row(21, "01", 证件号码=ident[0]),  # unique within village1's jurisdiction
        person_row(22, "东村二网格", 证件号码=ident[1]),
        person_row(23, "130682100201/02", 证件号码=ident[2]),
        person_row(24, "一镇/东村/东村一网格", 证件号码=ident[3]),
        person_row(25, "130682100201", 证件号码=ident[4]),  # the village itself
        person_row(26, "130682100000", 证件号码=ident[5]),  # a town: too high for a person
    ]
    report = import_persons_file(make_xlsx(PERSON_HEADERS, rows), personas["village1"], "valid")
    assert [e["row"] for e in report.errors] == [7]
    assert "不在您的管辖范围内" in report.errors[0]["message"]
    got = dict(Person.objects.filter(name__startswith="测试").values_list("name", "division__path"))
    assert got == {
        "测试21": GRID1A,
        "测试22": GRID1B,
        "测试23": GRID1B,
        "测试24": GRID1A,
        "测试25": "130682/100/201/",
    }
    # For the county, code 01 names two grids: ambiguous, asks for the path.
    again = import_persons_file(
        make_xlsx(PERSON_HEADERS, [person_row(30, "01")]), personas["county"], "valid"
    )
    assert "对应多个区划" in again.errors[0]["message"]


def test_households_tags_and_travel(personas, county):
    headers = [*PERSON_HEADERS, "与户主关系", "出发地", "抵达日期"]
    rows = [
        person_row(41, GRID1A, 户编号="A1", 现住址="东村1号", 标签="返乡人员")
        + ["户主", "武汉", "2020-01-22"],
        person_row(42, GRID1A, 户编号="A1", 现住址="东村1号") + ["妻子", "", ""],
        person_row(43, GRID1A, 户编号="B9") + ["", "", ""],  # new household without address
        person_row(44, GRID1A, 标签="不存在的标签") + ["", "", ""],
        person_row(45, GRID1A) + ["", "武汉", ""],
    ]
    report = import_persons_file(make_xlsx(headers, rows), personas["village1"], "valid")
    assert [(e["row"], e["column"]) for e in report.errors] == [
        (4, "户编号"),
        (5, "标签"),
        (6, "抵达日期"),
    ]
    assert report.created == 2 and report.households_created == 1
    household = Household.objects.get(number="A1")
    assert household.division.path == GRID1A and household.address == "东村1号"
    head = Person.objects.get(name="测试41")
    assert head.household == household and head.relation_to_head == "head"
    assert list(head.tags.values_list("code", flat=True)) == ["returnee"]
    assert head.travel_entries.get().arrival_date == date(2020, 1, 22)
    assert Person.objects.get(name="测试42").relation_to_head == "spouse"

    # The same person listed again with a new tag: added to the existing record.
    rows = [
        person_row(41, GRID1A, 户编号="A1", 标签="返乡人员、重点人群")
        + ["户主", "武汉", "2020-01-22"]
    ]
    again = import_persons_file(make_xlsx(headers, rows), personas["village1"], "valid")
    assert (again.created, again.updated, again.existing, again.households_created) == (0, 1, 0, 0)
    assert set(head.tags.values_list("code", flat=True)) == {"returnee", "key_group"}
    assert head.travel_entries.count() == 1


def test_header_synonyms_title_row_and_row_numbers(personas, county):
    headers = ["序号", "名字", "身份证号码（必填）", "手机号", "网格", "备注栏"]
    rows = [
        [1, "甲", resident_id(51), "13900000051", GRID1A, "x"],
        [2, "乙", bad_check_digit(resident_id(52)), "13900000052", GRID1A, "y"],
    ]
    data = make_xlsx(headers, rows, title="东村返乡人员登记表")
    report = import_persons_file(data, personas["village1"], "valid")
    assert report.messages() == ["第4行 身份证号码（必填）：身份证号码校验位错误"]
    assert report.warnings == ["未识别的列“备注栏”，已忽略"]
    assert report.created == 1


def test_missing_required_headers_is_a_file_error(personas, county):
    data = make_xlsx(["姓名", "电话"], [["甲", "13900000000"]])
    report = import_persons_file(data, personas["village1"], "valid")
    assert report.file_error == "表头缺少必填列：“证件号码”、“所属网格”，请使用导入模板"
    assert not report.committed


def test_import_needs_the_permission(personas, county):
    data = make_xlsx(PERSON_HEADERS, [person_row(1)])
    with pytest.raises(PermissionDenied):
        import_persons_file(data, personas["grid1a"])
    with pytest.raises(PermissionDenied):
        import_file("divisions", data, personas["village1"])


def test_passport_rows(personas, county):
    rows = [
        person_row(61, GRID1A, 证件类型="护照", 证件号码="E12345678"),
        person_row(62, GRID1A, 证件类型="驾驶证", 证件号码="E12345679"),
    ]
    report = import_persons_file(make_xlsx(PERSON_HEADERS, rows), personas["village1"], "valid")
    assert [e["column"] for e in report.errors] == ["证件类型"]
    person = Person.objects.get(name="测试61")
    assert person.document_type == "passport" and person.sex == "U"


def test_sex_must_match_the_id_number(personas, county):
    male = make_resident_id("130682", date(1980, 1, 1), 11)
    rows = [person_row(71, GRID1A, 证件号码=male)]
    data = make_xlsx([*PERSON_HEADERS, "性别"], [rows[0] + ["女"]])
    report = import_persons_file(data, personas["village1"], "valid")
    assert report.messages() == ["第2行 性别：性别与身份证号码不符"]
