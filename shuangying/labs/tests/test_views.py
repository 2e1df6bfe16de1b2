"""Lab pages for lab staff: the sampling form, result entry (a refusal beside its field),
the sheet upload's row report, the queue, the re-sample list and their exports."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shuangying.imports.tests.xlsx import make_xlsx
from shuangying.testing import login

pytestmark = pytest.mark.django_db


def test_sample_result_queue(client, labber, labs, people):
    login(client, labber)
    url = reverse("labs:sample_create")
    assert client.get(url).status_code == 200
    unknown = client.post(
        url, {"id_number": "110101199003070000", "barcode": "A1", "sample_type": "throat"}
    )
    assert unknown.status_code == 400 and "证件号码" in unknown.content.decode()
    ok = client.post(
        url,
        {
            "id_number": people.in_grid1a.reveal_id_number(),
            "barcode": "A1",
            "sample_type": "throat",
        },
    )
    assert ok.status_code == 302
    entry = reverse("labs:result_entry")
    bad = client.post(
        entry, {"barcode": "NOPE", "result": "negative", "resulted_at": "2020-02-10T10:00"}
    )
    assert bad.status_code == 400 and "未找到" in bad.content.decode()
    upload = client.post(
        reverse("labs:result_upload"),
        {
            "file": SimpleUploadedFile(
                "r.xlsx",
                make_xlsx(["条码", "结果", "出结果时间"], [["A1", "阳性", "2099-01-01 10:00"]]),
            )
        },
    )
    assert upload.status_code == 200 and "出结果时间" in upload.content.decode()
    lab = labs[0]
    assert client.get(reverse("labs:queue", args=[lab.pk])).status_code == 200
    assert client.get(reverse("labs:queue", args=[lab.pk]) + "?date=bad").status_code == 200
    assert client.get(reverse("labs:lab_list")).status_code == 200
    assert client.get(reverse("labs:resample_list")).status_code == 200
    assert client.get(reverse("labs:resample_export")).status_code == 200
    assert client.get(reverse("labs:queue_export", args=[lab.pk])).status_code == 200


def test_the_demo_opens_on_its_own_day(client, labber, labs, settings):
    """The demo's samples are of February 2020: the lab pages open on the demo's day, not on
    an empty today; outside the demo, on today."""
    import datetime as dt

    from django.utils import timezone

    login(client, labber)
    settings.SHUANGYING_DEMO, settings.SHUANGYING_DEMO_AS_OF = True, "2020-02-15"
    assert client.get("/labs/").context["day"] == dt.date(2020, 2, 15)
    lab = labs[0]
    assert client.get(f"/labs/{lab.pk}/queue/").context["day"] == dt.date(2020, 2, 15)
    settings.SHUANGYING_DEMO = False
    assert client.get("/labs/").context["day"] == timezone.localdate()
