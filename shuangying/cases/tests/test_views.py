"""Case pages for the health officer: the case file, a reclassification with a reason (the
form names the field when refused), admission, the exports, the home-page panel."""

import pytest
from django.urls import reverse

from shuangying.cases import services as s
from shuangying.testing import login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cdc(county):
    return make_user("cdc", "health_officer", [county.county])


def test_reclassify_through_the_page(client, cdc, people, county):
    case, _ = s.open_case(person=people.in_grid1a)
    ward = s.create_ward(
        hospital=s.create_hospital(name="医院", kind="designated", division=county.county),
        name="一病区",
        capacity=1,
    )
    login(client, cdc)
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert page.status_code == 200 and "变更分类" in page.content.decode()
    url = reverse("cases:case_reclassify", args=[case.pk])
    refused = client.post(url, {"to_class": "confirmed", "reason": ""})
    assert refused.status_code == 400 and "原因" in refused.content.decode()
    wrong = client.post(url, {"to_class": "cured", "reason": "x"})
    assert wrong.status_code == 400
    assert client.post(url, {"to_class": "confirmed", "reason": "复核阳性"}).status_code == 302
    assert (
        client.post(reverse("cases:case_admit", args=[case.pk]), {"ward": ward.pk}).status_code
        == 302
    )
    ward.refresh_from_db()
    assert ward.occupied == 1
    for name in ("cases:case_export", "cases:hospital_export", "cases:team_export"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and response["Content-Type"].startswith(
            "application/vnd"
        )
    home = client.get(reverse("dashboard:home"))
    assert "病例与救治" in home.content.decode()
