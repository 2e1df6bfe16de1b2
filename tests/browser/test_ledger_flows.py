"""Excel ledgers in a real browser: an import with errors read row by row, then an export
(issue 2 point 8; B1, M1, M2)."""

import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from shuangying.imports.tests.xlsx import PERSON_HEADERS, make_xlsx, person_row
from shuangying.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ledger_with_one_bad_row_in_twenty(tmp_path):
    rows = [person_row(n) for n in range(1, 21)]
    rows[6][2] = rows[6][2][:-1] + ("0" if rows[6][2][-1] != "0" else "1")  # wrong check char
    path = tmp_path / "人员台账.xlsx"
    path.write_bytes(make_xlsx(PERSON_HEADERS, rows))
    return path


def test_import_with_errors_then_valid_rows_then_export(page, log_in, personas, county, tmp_path):
    log_in("town1")
    page.goto("/imports/new/?kind=persons")
    page.set_input_files("input[type=file]", str(ledger_with_one_bad_row_in_twenty(tmp_path)))
    page.get_by_role("button", name="上传并检查").click()
    errors = page.get_by_test_id("errors")
    errors.wait_for()
    text = errors.inner_text()
    # Row 8 in Excel (header in row 1, the 7th data row) and nothing else.
    assert "第8行" in text and "证件号码" in text and "校验位" in text
    assert text.count("第") == 1
    assert Person.objects.count() == 0  # the dry run wrote nothing
    page.get_by_label("只导入正确的行（跳过有错误的行）").check()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_function(
        "document.querySelector('#job-status')?.dataset.status === 'done'", timeout=20_000
    )
    assert Person.objects.count() == 19
    # Export the ledger the town officer sees, and read it back.
    page.goto("/people/")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    data = Path(download.value.path()).read_bytes()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    flat = "\n".join(" ".join(str(c) for c in row) for row in sheet)
    assert "导出人：town1" in flat
    assert flat.count("测试") == 19
    for person in Person.objects.all()[:5]:
        assert person.reveal_id_number() not in flat and person.id_number_masked in flat
