"""M1: no plaintext ID number or phone in log output, whatever the path the data took.

Every logger is captured at DEBUG (SQL included) while persons arrive through a page, the
API and an import, are searched for by full number, listed, opened, exported and revealed."""

import json
import logging
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from shuangying.imports.services import import_persons_file
from shuangying.imports.tests.xlsx import PERSON_HEADERS, make_xlsx, person_row
from shuangying.people.identity import make_resident_id
from shuangying.testing import login

pytestmark = pytest.mark.django_db

PAGE_ID, PAGE_PHONE = "11010519491231002X", "13912340001"
API_ID, API_PHONE = make_resident_id("420106", date(1980, 1, 1), 15), "13912340002"


def test_no_plaintext_in_logs(client, personas, county, caplog, settings):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    settings.DEBUG = True  # Django logs every SQL statement with its parameters when DEBUG
    connection.force_debug_cursor = True
    try:
        login(client, personas["county"])
        page = client.post(
            reverse("people:person_create"),
            {
                "name": "页面录入",
                "document_type": "resident_id",
                "id_number": PAGE_ID,
                "phone": PAGE_PHONE,
                "division": county.grid1a.pk,
            },
        )
        api = client.post(
            "/api/persons",
            json.dumps(
                {
                    "name": "接口录入",
                    "document_type": "resident_id",
                    "id_number": API_ID,
                    "phone": API_PHONE,
                    "division": county.grid1a.pk,
                }
            ),
            content_type="application/json",
        )
        assert page.status_code == 302 and api.status_code == 201, api.content
        row = person_row(1)
        imported_id, imported_phone = row[2], row[3]
        import_persons_file(make_xlsx(PERSON_HEADERS, [row]), personas["county"], "valid")
        for q in (PAGE_ID, PAGE_PHONE, imported_id):
            client.post(reverse("people:person_list"), {"q": q}, follow=True)
        client.get(reverse("people:person_list"))
        client.get(reverse("people:person_export"))
        found = client.post(
            "/api/persons/search",
            json.dumps({"id_number": API_ID}),
            content_type="application/json",
        )
        assert found.json()["count"] == 1
    finally:
        connection.force_debug_cursor = False
    logged = "\n".join(r.getMessage() + repr(getattr(r, "args", "")) for r in caplog.records)
    assert "people_person" in logged  # the SQL was really captured
    for secret in (PAGE_ID, PAGE_PHONE, API_ID, API_PHONE, imported_id, imported_phone):
        assert secret not in logged, f"{secret} appears in the logs"
