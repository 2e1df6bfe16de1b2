"""Places registry, place-code tokens and posters (C1)."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from shuangying.places.models import Place, PlaceCode, PosterBatch
from shuangying.places.posters import PosterFontMissing, find_font
from shuangying.places.services import (
    create_place,
    issue_place_code,
    poster_pdf,
    revoke_place_code,
)
from shuangying.places.tokens import PlaceTokenError, checkin_url, resolve_token, token_for
from shuangying.testing import login

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> list[str]:
    """Each page's text with the whitespace extractors put between CJK glyphs removed."""
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]


@pytest.fixture
def market(county):
    return create_place(
        type="market", name="东村农贸市场", division=county.grid1a, address="东街1号"
    )


def current(place):
    return place.codes.get(revoked_at__isnull=True)


def test_token_resolves_and_is_not_the_id(market):
    code = current(market)
    token = token_for(code)
    assert str(market.pk) != token.split(":")[0]
    assert resolve_token(token) == code
    assert checkin_url(code, "http://127.0.0.1:8123/") == f"http://127.0.0.1:8123/c/{token}/"


@pytest.mark.parametrize("token", ["", "abc", "abc:def", "x" * 40])
def test_forged_tokens_fail(market, token):
    with pytest.raises(PlaceTokenError) as err:
        resolve_token(token)
    assert err.value.reason == "forged"


def test_tampered_token_fails(market):
    token = token_for(current(market))
    nonce, signature = token.rsplit(":", 1)
    with pytest.raises(PlaceTokenError):
        resolve_token(nonce[:-1] + ("A" if nonce[-1] != "A" else "B") + ":" + signature)


def test_revoke_and_reissue_make_the_old_token_fail(market):
    old = token_for(current(market))
    issue_place_code(place=market)
    with pytest.raises(PlaceTokenError) as err:
        resolve_token(old)
    assert err.value.reason == "revoked"
    new = token_for(current(market))
    assert new != old and resolve_token(new).place == market
    revoke_place_code(place=market)
    with pytest.raises(PlaceTokenError) as err:
        resolve_token(new)
    assert err.value.reason == "revoked"


def test_expired_and_inactive(market):
    code = issue_place_code(place=market, valid_until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(PlaceTokenError) as err:
        resolve_token(token_for(code))
    assert err.value.reason == "expired"
    code = issue_place_code(place=market)
    Place.objects.filter(pk=market.pk).update(is_active=False)
    with pytest.raises(PlaceTokenError) as err:
        resolve_token(token_for(code))
    assert err.value.reason == "inactive"


def test_poster_pdf_holds_the_chinese_name(market):
    pages = text_of(poster_pdf([current(market)], base_url="http://127.0.0.1:8123"))
    assert len(pages) == 1
    assert "东村农贸市场" in pages[0]
    assert "请扫码登记" in pages[0]
    assert "东村一网格" in pages[0]


def test_font_missing_is_a_clear_error(settings):
    settings.SHUANGYING_POSTER_FONT = "/nonexistent/font.ttc"
    with pytest.raises(PosterFontMissing, match="字体"):
        find_font()


def test_bulk_pdf_of_a_township_has_one_page_per_place(client, personas, county, market):
    create_place(type="pharmacy", name="东村药店", division=county.grid1b)
    create_place(type="school", name="东村小学", division=county.village1)
    create_place(type="market", name="西村市场", division=county.grid2a)  # other township
    revoked = create_place(type="other", name="作废场所", division=county.grid1a)
    revoke_place_code(place=revoked)
    login(client, personas["town1"])
    response = client.post(reverse("places:poster_batch_create"), {"division": county.town1.pk})
    batch = PosterBatch.objects.get()
    assert response.url == reverse("places:poster_batch", args=[batch.pk])
    assert batch.status == "done" and batch.place_count == 3
    page = client.get(response.url)
    assert "下载PDF" in page.content.decode()
    pdf = client.get(response.url + "?download=1")
    assert pdf["Content-Type"] == "application/pdf"
    pages = text_of(pdf.content)
    assert len(pages) == 3
    joined = "".join(pages)
    assert "东村农贸市场" in joined and "东村小学" in joined and "西村市场" not in joined


def test_bulk_outside_jurisdiction_is_refused(client, personas, county):
    login(client, personas["town1"])
    client.post(reverse("places:poster_batch_create"), {"division": county.town2.pk})
    assert not PosterBatch.objects.exists()


def test_single_poster_page(client, personas, market):
    login(client, personas["grid1a"])
    response = client.get(reverse("places:place_poster", args=[market.pk]))
    assert response.status_code == 200
    assert "东村农贸市场" in text_of(response.content)[0]


def test_create_edit_reissue_through_pages(client, personas, county):
    login(client, personas["town1"])
    response = client.post(
        reverse("places:place_create"),
        {"name": "一镇卫生院发热门诊", "type": "fever_clinic", "division": county.village1.pk},
    )
    place = Place.objects.get(name="一镇卫生院发热门诊")
    assert response.url == place.get_absolute_url()
    assert place.codes.filter(revoked_at__isnull=True).count() == 1
    # A division outside the jurisdiction is not a choice.
    response = client.post(
        reverse("places:place_update", args=[place.pk]),
        {"name": "改名", "type": "fever_clinic", "division": county.grid2a.pk},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("places:place_update", args=[place.pk]),
        {"name": "改名", "type": "fever_clinic", "division": county.grid1a.pk, "is_active": "on"},
    )
    place.refresh_from_db()
    assert place.name == "改名" and place.division == county.grid1a
    old = token_for(current(place))
    client.post(reverse("places:code_reissue", args=[place.pk]))
    assert PlaceCode.objects.filter(place=place).count() == 2
    with pytest.raises(PlaceTokenError):
        resolve_token(old)
    detail = client.get(place.get_absolute_url()).content.decode()
    assert token_for(current(place)) in detail


def test_list_filters_and_export(client, personas, county, market):
    create_place(type="pharmacy", name="东村药店", division=county.grid1b)
    create_place(type="pharmacy", name="西村药店", division=county.grid2a)
    login(client, personas["town1"])
    page = client.get(reverse("places:place_list"), {"type": "pharmacy"}).content.decode()
    assert "东村药店" in page and "东村农贸市场" not in page and "西村药店" not in page
    page = client.get(reverse("places:place_list"), {"q": "市场"}).content.decode()
    assert "东村农贸市场" in page and "东村药店" not in page
    response = client.get(reverse("places:place_export"), {"type": "pharmacy"})
    assert response.status_code == 200
    from python_calamine import CalamineWorkbook

    body = b"".join(response.streaming_content)
    names = str(CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python())
    assert "东村药店" in names and "西村药店" not in names
    from shuangying.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="export", object_type="place")
    assert event.detail["rows"] == 1 and event.username == "town1"


def test_list_queries_do_not_grow_with_rows(client, personas, county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, personas["town1"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("places:place_list")).status_code == 200
        return len(ctx.captured_queries)

    create_place(type="market", name="市场0", division=county.grid1a)
    few = count()
    for i in range(1, 30):
        create_place(type="market", name=f"市场{i}", division=county.grid1a)
    assert count() == few


@pytest.fixture
def drawn_qrs(monkeypatch):
    """The data of every QR drawn into a poster."""
    from shuangying.places import posters

    drawn, draw = [], posters._draw_qr
    monkeypatch.setattr(
        posters, "_draw_qr", lambda pdf, data, **kw: (drawn.append(data), draw(pdf, data, **kw))
    )
    return drawn


def test_the_check_in_url_follows_the_address_served(client, personas, county, settings, drawn_qrs):
    """make run PORT=8123: the place page, its link and the poster point at :8123, not :8000."""
    settings.SHUANGYING_PUBLIC_BASE_URL = ""
    market = create_place(type="market", name="东村农贸市场", division=county.village1)
    token = token_for(market.codes.get())
    login(client, personas["county"])
    html = client.get(
        reverse("places:place_detail", args=[market.pk]), HTTP_HOST="127.0.0.1:8123"
    ).content.decode()
    url = f"http://127.0.0.1:8123/c/{token}/"
    assert f'href="{url}"' in html and ":8000" not in html
    pdf = client.get(reverse("places:place_poster", args=[market.pk]), HTTP_HOST="127.0.0.1:8123")
    assert pdf.status_code == 200 and drawn_qrs == [url]
    api = client.get(f"/api/places/{market.pk}", HTTP_HOST="127.0.0.1:8123").json()
    assert api["code"]["checkin_url"] == url


def test_a_configured_public_base_url_wins_over_the_request(client, personas, county, settings):
    settings.SHUANGYING_PUBLIC_BASE_URL = "https://sy.example.gov.cn/"
    market = create_place(type="market", name="东村农贸市场", division=county.village1)
    login(client, personas["county"])
    html = client.get(
        reverse("places:place_detail", args=[market.pk]), HTTP_HOST="127.0.0.1:8123"
    ).content.decode()
    assert f'href="https://sy.example.gov.cn/c/{token_for(market.codes.get())}/"' in html


def test_a_poster_batch_keeps_the_address_it_was_asked_on(
    client, personas, county, settings, drawn_qrs
):
    from shuangying.places.models import PosterBatch

    settings.SHUANGYING_PUBLIC_BASE_URL = ""
    settings.SHUANGYING_SERVED_AT = ""
    create_place(type="market", name="东村农贸市场", division=county.village1)
    login(client, personas["county"])
    client.post(
        reverse("places:poster_batch_create"),
        {"division": county.town1.pk},
        HTTP_HOST="localhost:8123",
    )
    batch = PosterBatch.objects.get()
    assert batch.base_url == "http://localhost:8123" and batch.status == "done"
    assert [u.rsplit("/c/", 1)[0] for u in drawn_qrs] == ["http://localhost:8123"]


def test_without_any_address_the_url_is_refused_not_guessed(county, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SHUANGYING_PUBLIC_BASE_URL = ""
    settings.SHUANGYING_SERVED_AT = ""
    market = create_place(type="market", name="东村农贸市场", division=county.village1)
    with pytest.raises(ImproperlyConfigured):
        checkin_url(market.codes.get())
    settings.SHUANGYING_SERVED_AT = "http://127.0.0.1:8123"
    assert checkin_url(market.codes.get()).startswith("http://127.0.0.1:8123/c/")
