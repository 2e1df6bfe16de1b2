"""A lab's result sheet through the import pipeline (E3): dry run, a report per row, all or
nothing with 5 % bad rows, idempotent on a second import, CSV like Excel."""

from datetime import date

import pytest

from shuangying.imports.tests.xlsx import make_xlsx
from shuangying.labs.models import Pool, Sample
from shuangying.labs.services import PoolSpec, record_pooled_round
from shuangying.labs.sheets import import_result_sheet
from shuangying.people.identity import make_resident_id
from shuangying.people.services import register_person

from .conftest import at

pytestmark = pytest.mark.django_db

HEADERS = ["条码", "结果", "出结果时间"]


@pytest.fixture
def twenty(county, labs, people):
    """20 pooled samples in 4 tubes of 5."""
    who = [
        register_person(
            actor=None,
            name=f"表{i}",
            id_number=make_resident_id("130682", date(1991, 1, 1), 300 + i),
            division=county.grid1a,
        ).person
        for i in range(20)
    ]
    record_pooled_round(
        pools=[
            PoolSpec(f"P{t}", 5, [(p.pk, f"S{t}{i}") for i, p in enumerate(who[t * 5 : t * 5 + 5])])
            for t in range(4)
        ],
        sampled_at=at(10),
    )
    return who


def rows_for(n_bad=0):
    rows = [[f"P{t}", "阴性", "2020-02-10 18:00"] for t in range(4)]
    rows += [["P0", "阴性", "2020-02-10 18:00"]] * (16 - n_bad)  # repeats: unchanged
    rows += [["NOPE", "阴性", "2020-02-10 18:00"]] * n_bad
    return rows


def test_sheet_with_5_percent_bad_rows_writes_nothing(twenty, labber):
    rows = rows_for(n_bad=1)  # 1 of 20 rows
    rows[1] = ["P1", "大概阴性", "2020-02-10 18:00"]  # and a bad result word
    data = make_xlsx(HEADERS, rows)
    report = import_result_sheet(data, file_name="结果.xlsx", user=labber, commit=True)
    assert report.error_rows == 2 and not report.committed
    assert {e["row"] for e in report.errors} == {3, 21}
    assert any("条码" in e["column"] and "NOPE" in e["message"] for e in report.errors)
    assert not Pool.objects.exclude(result="").exists()


def test_dry_run_then_commit_then_again_idempotent(twenty, labber):
    data = make_xlsx(HEADERS, rows_for())
    dry = import_result_sheet(data, file_name="结果.xlsx", user=labber, commit=False)
    assert dry.error_rows == 0 and not Pool.objects.exclude(result="").exists()
    done = import_result_sheet(data, file_name="结果.xlsx", user=labber, commit=True)
    assert done.committed and done.created == 4
    assert sum(s.outcome == "negative" for s in Sample.objects.select_related("pool")) == 20
    again = import_result_sheet(data, file_name="结果.xlsx", user=labber, commit=True)
    assert again.committed and again.created == 0 and again.existing == 20


def test_csv_sheet(twenty, labber):
    text = "条码,结果,出结果时间\nP0,阳性,2020-02-10 18:00\nP1,阴性,2020/2/10 18:05\n"
    report = import_result_sheet(text.encode("gbk"), file_name="lab.csv", user=labber, commit=True)
    assert report.committed, report.errors
    assert Sample.objects.resample_list().count() == 5
    assert sum(s.outcome == "negative" for s in Sample.objects.select_related("pool")) == 5


def test_only_lab_roles_import(twenty, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_result_sheet(
            make_xlsx(HEADERS, rows_for()), file_name="a.xlsx", user=personas["town1"], commit=False
        )
