"""The import pages: upload → report → commit, progress polling, own jobs only, templates."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangying.core.excel import read_table
from shuangying.imports.choices import ImportStatus
from shuangying.imports.models import ImportJob
from shuangying.imports.services import import_file
from shuangying.people.ledgers import PersonLedger
from shuangying.people.models import Person
from shuangying.testing import login

from .xlsx import GRID1A, GRID2A, PERSON_HEADERS, bad_check_digit, make_xlsx, person_row

pytestmark = pytest.mark.django_db


def upload(client, data, *, kind="persons", mode="all", name="台账.xlsx"):
    return client.post(
        reverse("imports:import_new"),
        {"kind": kind, "mode": mode, "file": SimpleUploadedFile(name, data)},
    )


def three_rows_one_bad() -> bytes:
    rows = [person_row(1, GRID1A), person_row(2, GRID1A), person_row(3, GRID1A)]
    rows[1][2] = bad_check_digit(rows[1][2])
    return make_xlsx(PERSON_HEADERS, rows)


@pytest.mark.parametrize(
    "persona, status",
    [("village1", 200), ("town1", 200), ("county", 200), ("grid1a", 403), ("auditor", 403)],
)
def test_who_may_open_the_import_pages(client, personas, persona, status):
    login(client, personas[persona])
    assert client.get(reverse("imports:import_list")).status_code == status
    assert client.get(reverse("imports:import_new") + "?kind=persons").status_code == status


def test_anonymous_is_sent_to_login(client, county):
    response = client.get(reverse("imports:import_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_upload_report_commit_flow(client, personas, people):
    login(client, personas["village1"])
    page = client.get(reverse("imports:import_new") + "?kind=persons").content.decode()
    assert "上传并检查" in page and "全部正确才导入" in page

    response = upload(client, three_rows_one_bad())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    # The dry run ran on the (immediate) task queue: nothing written yet.
    assert job.status == ImportStatus.VALIDATED
    assert (job.total_rows, job.error_rows, job.created_count) == (3, 1, 2)
    assert job.file_enc and "13900000001" not in job.file_enc
    assert not Person.objects.filter(name__startswith="测试").exists()

    html = client.get(job.get_absolute_url()).content.decode()
    assert "第3行" in html and "身份证号码校验位错误" in html
    assert "确认导入" in html and 'hx-trigger="every 1s"' not in html

    response = client.post(reverse("imports:import_commit", args=[job.pk]), {"mode": "valid"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.mode == "valid"
    assert (job.created_count, job.skipped_count) == (2, 1)
    assert job.file_enc == ""  # the plaintext ledger is gone once done
    assert Person.objects.filter(name__startswith="测试").count() == 2
    html = client.get(job.get_absolute_url()).content.decode()
    assert "已新增2条" in html and "确认导入" not in html

    # A second commit of the same job does nothing.
    client.post(reverse("imports:import_commit", args=[job.pk]), {"mode": "valid"})
    assert Person.objects.filter(name__startswith="测试").count() == 2


def test_commit_all_or_nothing_from_the_page_writes_nothing(client, personas, people):
    login(client, personas["village1"])
    upload(client, three_rows_one_bad(), mode="valid")
    job = ImportJob.objects.get()
    client.post(reverse("imports:import_commit", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.report["rolled_back"]
    assert job.created_count == 0 and job.skipped_count == 3
    assert not Person.objects.filter(name__startswith="测试").exists()
    assert "未写入任何数据" in client.get(job.get_absolute_url()).content.decode()


def test_progress_is_polled_while_running_only(client, personas):
    login(client, personas["village1"])
    job = ImportJob.objects.create(
        kind="persons",
        file_name="x.xlsx",
        created_by=personas["village1"],
        status=ImportStatus.VALIDATING,
        total_rows=200,
        processed_rows=50,
    )
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in html and "width:25%" in html
    partial = client.get(reverse("imports:import_progress", args=[job.pk])).content.decode()
    assert partial.startswith('<div id="job-status"') and "every 1s" in partial
    assert "已检查 50 / 200 行" in partial
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.COMMITTING)
    partial = client.get(reverse("imports:import_progress", args=[job.pk])).content.decode()
    assert "every 1s" in partial and "正在写入数据库" in partial
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error_message="坏了")
    partial = client.get(reverse("imports:import_progress", args=[job.pk])).content.decode()
    assert "every 1s" not in partial and "坏了" in partial


def test_jobs_are_private_to_their_owner(client, personas):
    mine = ImportJob.objects.create(
        kind="persons", file_name="mine.xlsx", created_by=personas["village1"]
    )
    other = ImportJob.objects.create(
        kind="persons", file_name="theirs.xlsx", created_by=personas["town1"]
    )
    login(client, personas["village1"])
    listing = client.get(reverse("imports:import_list")).content.decode()
    assert "mine.xlsx" in listing and "theirs.xlsx" not in listing
    for name in ("import_detail", "import_progress"):
        assert client.get(reverse(f"imports:{name}", args=[other.pk])).status_code == 404
        assert client.get(reverse(f"imports:{name}", args=[mine.pk])).status_code == 200
    assert client.post(reverse("imports:import_commit", args=[other.pk])).status_code == 404


def test_divisions_need_their_own_permission(client, personas, county):
    login(client, personas["village1"])
    page = client.get(reverse("imports:import_new")).content.decode()
    assert 'value="divisions"' not in page
    response = upload(client, make_xlsx(["上级代码", "类型", "代码", "名称"], []), kind="divisions")
    assert response.status_code == 400  # not a choice for this user
    assert client.get(reverse("imports:import_template", args=["divisions"])).status_code == 403
    login(client, personas["admin"])
    assert client.get(reverse("imports:import_template", args=["divisions"])).status_code == 200
    assert client.get(reverse("imports:import_template", args=["persons"])).status_code == 403


@pytest.mark.parametrize("kind", ["persons", "households", "divisions"])
def test_templates_download_and_import_cleanly(client, personas, kind):
    login(client, personas["county"])
    response = client.get(reverse("imports:import_template", args=[kind]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    # The sample row is ignored: importing the untouched template writes nothing.
    report = import_file(kind, data, personas["county"], "all")
    assert report.file_error == "" and report.total_rows == 0
    assert report.warnings == ["第2行是模板中的示例行，已忽略"]


def test_person_template_has_every_header_and_notes(client, personas):
    login(client, personas["village1"])
    data = b"".join(
        client.get(reverse("imports:import_template", args=["persons"])).streaming_content
    )
    table = read_table(
        data,
        aliases=PersonLedger.aliases(),
        required=PersonLedger.required_keys(),
        labels=PersonLedger.labels(),
    )
    assert table.header_row == 1
    assert [h for _i, h in table.columns.values()] == [f.header for f in PersonLedger.fields]
    sample = next(table.rows())[1]
    assert sample[6] == GRID1A  # an example from the user's own jurisdiction
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names == ["人员台账", "填写说明"]


def test_upload_without_file_or_kind(client, personas):
    login(client, personas["village1"])
    response = client.post(reverse("imports:import_new"), {"kind": "persons", "mode": "all"})
    assert response.status_code == 400 and "请选择要上传的文件" in response.content.decode()
    response = client.post(
        reverse("imports:import_new"),
        {"kind": "nonsense", "mode": "all", "file": SimpleUploadedFile("a.xlsx", b"x")},
    )
    assert response.status_code == 400


def test_rows_outside_jurisdiction_on_the_report(client, personas, people):
    login(client, personas["village1"])
    upload(client, make_xlsx(PERSON_HEADERS, [person_row(9, GRID2A)]))
    html = client.get(ImportJob.objects.get().get_absolute_url()).content.decode()
    assert "第2行" in html and "不在您的管辖范围内" in html
