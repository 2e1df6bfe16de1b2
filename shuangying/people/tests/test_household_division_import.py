"""B2 and A1: household files and the division tree from Excel."""

import pytest

from shuangying.divisions.models import Division
from shuangying.imports.services import import_file
from shuangying.imports.tests.xlsx import GRID1A, GRID1B, GRID2A, make_xlsx
from shuangying.people.models import Household
from shuangying.testing import make_user

pytestmark = pytest.mark.django_db

HOUSEHOLD_HEADERS = ["所属区划", "户编号", "住址", "备注"]
DIVISION_HEADERS = ["上级代码", "类型", "代码", "名称"]


def test_households_created_deduplicated_and_updated(personas, county):
    rows = [
        [GRID1A, "101", "东村1号", ""],
        [GRID1B, "101", "东村2号", ""],  # same number, another grid: another household
        [GRID1A, "101", "东村3号", ""],  # same (division, number) in the file
        [GRID2A, "201", "西村1号", ""],  # outside village1's jurisdiction
        [GRID1A, "", "东村4号", ""],
        [GRID1A, "102", "", ""],
    ]
    report = import_file(
        "households", make_xlsx(HOUSEHOLD_HEADERS, rows), personas["village1"], "valid"
    )
    assert report.messages() == [
        "第4行 户编号：户编号与第2行重复（同一区划）",
        "第5行 所属区划：“130682/101/201/01/”不在您的管辖范围内",
        "第6行 户编号：户编号不能为空",
        "第7行 住址：住址不能为空",
    ]
    assert report.created == 2
    assert Household.objects.count() == 2

    rows = [[GRID1A, 101, "东村1号", ""], [GRID1B, "101", "东村2号（新址）", "搬迁"]]
    again = import_file(
        "households", make_xlsx(HOUSEHOLD_HEADERS, rows), personas["village1"], "all"
    )
    assert (again.created, again.existing, again.updated) == (0, 1, 1)
    moved = Household.objects.get(division__path=GRID1B, number="101")
    assert moved.address == "东村2号（新址）" and moved.notes == "搬迁"


def test_household_all_or_nothing(personas, county):
    rows = [[GRID1A, "1", "东村1号", ""], [GRID2A, "2", "西村1号", ""]]
    report = import_file(
        "households", make_xlsx(HOUSEHOLD_HEADERS, rows), personas["village1"], "all"
    )
    assert report.rolled_back and report.created == 0
    assert not Household.objects.exists()


def test_division_tree_import(personas, county):
    rows = [
        ["", "县", "130682000000", "示范县"],  # exists: unchanged
        ["130682000000", "街道", "130682001000", "城关街道"],
        ["130682001000", "社区", 130682001001, "城关社区"],  # numeric 12-digit code is fine
        ["130682001001", "小区", "A1", "幸福小区"],
        ["130682001001/A1", "网格", "G1", "幸福小区一网格"],
        ["130682/001/001/A1/", "网格", "G2", "幸福小区二网格"],
        ["130682100201", "网格", "01", "东村一网格（改名）"],  # exists: renamed
        ["130682100201", "网格", "03", "东村三网格"],
    ]
    report = import_file("divisions", make_xlsx(DIVISION_HEADERS, rows), personas["county"], "all")
    assert report.errors == [] and report.committed
    assert (report.created, report.existing, report.updated) == (6, 1, 1)
    grid = Division.objects.get(path="130682/001/001/A1/G2/")
    assert grid.level == 5 and grid.parent.name == "幸福小区"
    assert Division.objects.get(path=GRID1A).name == "东村一网格（改名）"

    again = import_file("divisions", make_xlsx(DIVISION_HEADERS, rows), personas["county"], "all")
    assert (again.created, again.existing, again.updated) == (0, 8, 0)


def test_division_rows_are_checked_by_the_division_rules(personas, county):
    rows = [
        ["130682000000", "镇", "130682500000", "乱码镇"],  # town digits out of GB/T 10114 range
        ["130682999999", "村", "130682999999", "无上级村"],
        ["130682000000", "城堡", "130682100000", "一镇"],
        ["130682100000", "村", "130682100201", "东村"],  # exists
        ["130682100000", "村", "130682100202", "南村"],
        ["130682100202", "网格", "01", "南村一网格"],  # parent from the row above
        ["130682100202", "网格", "01", "南村一网格"],  # same division twice
    ]
    report = import_file(
        "divisions", make_xlsx(DIVISION_HEADERS, rows), personas["county"], "valid"
    )
    assert [(e["row"], e["column"]) for e in report.errors] == [
        (2, "代码"),
        (3, "上级代码"),
        (4, "类型"),
        (8, "代码"),
    ]
    assert "GB/T 10114" in report.errors[0]["message"]
    assert report.created == 2 and report.existing == 1
    assert Division.objects.filter(path="130682/100/202/01/").exists()


def test_division_import_stays_within_jurisdiction(county):
    officer = make_user("town1cmd", "county_commander", [county.town1])
    rows = [
        ["130682100000", "村", "130682100203", "北村"],
        ["130682101000", "村", "130682101202", "二镇新村"],  # under town2: not theirs
        ["", "县", "130683000000", "邻县"],  # a new county needs the whole system
    ]
    report = import_file("divisions", make_xlsx(DIVISION_HEADERS, rows), officer, "valid")
    assert [(e["row"], e["message"]) for e in report.errors] == [
        (3, "上级区划不在您的管辖范围内"),
        (4, "只有管辖全部区划的用户可以导入县级区划，请填写上级代码"),
    ]
    assert report.created == 1
    assert not Division.objects.filter(code="130682101202").exists()


def test_division_all_or_nothing_rolls_back_the_tree(personas, county):
    rows = [
        ["130682100000", "村", "130682100204", "新村"],
        ["130682100204", "网格", "01", "新村一网格"],
        ["130682100204", "网格", "!!", "坏网格"],
    ]
    report = import_file("divisions", make_xlsx(DIVISION_HEADERS, rows), personas["county"], "all")
    assert report.rolled_back and [e["row"] for e in report.errors] == [4]
    assert not Division.objects.filter(code="130682100204").exists()
