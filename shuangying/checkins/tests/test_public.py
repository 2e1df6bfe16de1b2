"""The public check-in page (C2): first time, one tap, tokens, dedup, rate limit."""

import uuid
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shuangying.checkins.models import CheckIn, CheckinRegistration
from shuangying.identity.devices import DEVICE_COOKIE
from shuangying.identity.models import PublicIdentity
from shuangying.people.identity import make_resident_id
from shuangying.people.models import Person
from shuangying.places.services import issue_place_code, revoke_place_code
from shuangying.places.tokens import token_for

pytestmark = pytest.mark.django_db

NEW_ID = make_resident_id("130682", date(1990, 5, 6), 41)
CHILD_ID = make_resident_id("130682", date(2015, 7, 8), 42)


def first_form(**extra):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "name": "赵新来",
        "document_type": "resident_id",
        "id_number": NEW_ID,
        "phone": "13912345678",
        "temperature": "36.5",
        "travel": "none",
        "c0-document_type": "resident_id",
        "c1-document_type": "resident_id",
        "c2-document_type": "resident_id",
    }
    data.update(extra)
    return data


def registry_form(person, phone, **extra):
    """The public form filled in for a registry person (``people`` fixture)."""
    return first_form(
        **{"name": person.name, "id_number": person.reveal_id_number(), "phone": phone, **extra}
    )


def test_first_checkin_of_a_registry_person_binds_then_one_tap(client, place, token, people):
    url = reverse("checkins:public_checkin", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "东村农贸市场" in page.content.decode()
    assert 'name="client_uuid"' in page.content.decode()
    person = people.in_grid1a
    response = client.post(url, registry_form(person, "13800001111"))
    assert response.status_code == 302
    result = client.get(response.url)
    body = result.content.decode()
    assert result.status_code == 200 and "登记成功" in body and "东村农贸市场" in body
    assert 'data-testid="code"' in body
    cookie = client.cookies[DEVICE_COOKIE].value
    ref = PublicIdentity.objects.get(person=person).ref
    assert person.reveal_id_number() not in cookie and ref in cookie
    # The second scan is one tap.
    again = client.get(url)
    assert 'data-testid="tap"' in again.content.decode() and "张**" in again.content.decode()
    tap = client.post(url, {"mode": "tap", "client_uuid": str(uuid.uuid4())})
    assert tap.status_code == 302
    assert CheckIn.objects.filter(person=person).count() == 2


def test_an_unknown_number_is_recorded_unbound(client, place, token):
    url = reverse("checkins:public_checkin", args=[token])
    response = client.post(url, first_form())
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert "登记成功" in body and 'data-testid="unbound"' in body
    assert 'data-testid="code"' not in body
    person = Person.objects.get(name="赵新来")
    assert not person.is_verified and person.division_id == place.division_id
    assert CheckinRegistration.objects.filter(person=person, place_id=place.pk).exists()
    assert DEVICE_COOKIE not in client.cookies and not PublicIdentity.objects.exists()


def test_resending_the_same_form_is_one_row(client, token):
    url = reverse("checkins:public_checkin", args=[token])
    data = first_form()
    client.post(url, data)
    client.post(url, data)
    assert CheckIn.objects.count() == 1


def test_known_document_joins_the_existing_person(client, token, people):
    known = people.in_grid2a
    client.post(
        reverse("checkins:public_checkin", args=[token]),
        first_form(name="王二甲", id_number=known.reveal_id_number()),
    )
    checkin = CheckIn.objects.get()
    assert checkin.person_id == known.pk
    assert Person.objects.filter(name="王二甲").count() == 1


def test_companions_get_their_own_rows(client, place, token, people):
    url = reverse("checkins:public_checkin", args=[token])
    response = client.post(
        url,
        registry_form(
            people.in_grid1a, "13800001111", **{"c0-name": "赵小宝", "c0-id_number": CHILD_ID}
        ),
    )
    rows = list(CheckIn.objects.order_by("id"))
    assert len(rows) == 2
    assert rows[1].companion_of == rows[0].pk
    child = Person.objects.get(name="赵小宝")
    assert not child.is_verified and child.division_id == place.division_id
    # Not of the same household: the bound person's code is shown, the child's is not.
    body = client.get(response.url).content.decode()
    assert body.count('data-testid="code"') == 1 and body.count('data-testid="entry"') == 1


def test_a_companion_known_under_another_name_is_refused(client, token, people):
    url = reverse("checkins:public_checkin", args=[token])
    other = people.in_grid2a
    response = client.post(
        url,
        registry_form(
            people.in_grid1a,
            "13800001111",
            **{"c0-name": "冒名", "c0-id_number": other.reveal_id_number()},
        ),
    )
    assert response.status_code == 400 and "信息不符" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_invalid_number_is_shown_and_nothing_written(client, token):
    response = client.post(
        reverse("checkins:public_checkin", args=[token]), first_form(id_number="123")
    )
    assert response.status_code == 400
    assert "身份证号码应为18位" in response.content.decode()
    assert CheckIn.objects.count() == 0 and not Person.objects.exists()


@pytest.mark.parametrize(
    "how, status, title",
    [
        ("forged", 404, "场所码无效"),
        ("revoked", 410, "场所码已作废"),
        ("expired", 410, "场所码已过期"),
    ],
)
def test_bad_tokens_write_nothing(client, place, token, how, status, title):
    if how == "forged":
        token = token[:-3] + "abc"
    elif how == "revoked":
        revoke_place_code(place=place)
    else:
        code = issue_place_code(
            place=place, valid_until=timezone.now() - timezone.timedelta(minutes=1)
        )
        token = token_for(code)
    url = reverse("checkins:public_checkin", args=[token])
    page = client.get(url)
    assert page.status_code == status and title in page.content.decode()
    response = client.post(url, first_form())
    assert response.status_code == status
    assert not CheckIn.objects.exists() and not Person.objects.exists()


def test_rate_limit_per_address(client, token, settings):
    settings.CHECKIN_RATE_PER_ADDRESS = 3
    url = reverse("checkins:public_checkin", args=[token])
    statuses = [client.get(url, REMOTE_ADDR="10.0.0.9").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert "操作太频繁" in client.get(url, REMOTE_ADDR="10.0.0.9").content.decode()
    assert client.get(url, REMOTE_ADDR="10.0.0.10").status_code == 200


def test_rate_limit_per_device(client, token, settings, people):
    settings.CHECKIN_RATE_PER_DEVICE = 2
    url = reverse("checkins:public_checkin", args=[token])
    client.post(url, registry_form(people.in_grid1a, "13800001111"))
    statuses = [client.get(url, REMOTE_ADDR=f"10.0.1.{i}").status_code for i in range(4)]
    assert statuses[-1] == 429


def test_result_link_is_signed(client):
    response = client.get(reverse("checkins:checkin_result", args=["1:forged"]))
    assert response.status_code == 404


@pytest.mark.parametrize("known", [True, False])
def test_a_code_revoked_after_a_process_cached_it_writes_nothing(client, place, token, known):
    """The POST takes its code from a per-process cache and checks it in the insert itself:
    a revocation takes effect at once, for known and unknown persons alike."""
    url = reverse("checkins:public_checkin", args=[token])
    assert client.post(url, first_form()).status_code == 302  # caches the code
    persons, rows = Person.objects.count(), CheckIn.objects.count()
    revoke_place_code(place=place)
    other = {} if known else {"name": "钱未登", "id_number": CHILD_ID}
    response = client.post(url, first_form(**other))
    assert response.status_code == 410 and "场所码已作废" in response.content.decode()
    assert (Person.objects.count(), CheckIn.objects.count()) == (persons, rows)


def test_a_bound_persons_check_in_is_one_statement_on_postgresql_two_elsewhere(
    client, token, django_assert_num_queries, settings, people
):
    """The steady state of the public check-in: on PostgreSQL the person, their bound
    identity and the insert (checking name, phone and the place code) in one statement;
    elsewhere the lookup, then the insert."""
    settings.CHECKIN_RATE_PER_ADDRESS = 0
    url = reverse("checkins:public_checkin", args=[token])
    form = registry_form(people.in_grid1a, "13800001111")
    assert client.post(url, form).status_code == 302  # binds, caches the code
    client.cookies.pop(DEVICE_COOKIE)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        response = client.post(url, {**form, "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 302
    assert CheckIn.objects.count() == 2


def counted(address: str) -> int:
    """The shared counter of ``address``'s check-ins in the current window."""
    from django.core.cache import caches

    from shuangying.core.ratelimit import CounterCache

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT value FROM shuangying_counter WHERE cache_key LIKE %s",
            [f"%rate:checkin:a:{address}:%"],
        )
        rows = cursor.fetchall()
    assert isinstance(caches["ratelimit"], CounterCache)
    return sum(int(v) for (v,) in rows)


def test_the_shared_counters_count_each_post_once_and_refuse_before_writing(
    client, token, settings, people
):
    """With the shared counters of production: a bound person's scan is counted in the fast
    path's own statement (PostgreSQL), any other request on its own; each request once, and
    one over the limit writes nothing."""
    settings.RATE_LIMIT_CACHE = "ratelimit"
    settings.CHECKIN_RATE_PER_ADDRESS = 3
    url = reverse("checkins:public_checkin", args=[token])
    form = registry_form(people.in_grid1a, "13800001111")
    statuses = []
    for _ in range(5):
        client.cookies.pop(DEVICE_COOKIE, None)
        post = client.post(url, {**form, "client_uuid": str(uuid.uuid4())}, REMOTE_ADDR="10.9.0.1")
        statuses.append(post.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert CheckIn.objects.count() == 3
    assert counted("10.9.0.1") == 5
    bad = client.post(url, {**form, "phone": "1"}, REMOTE_ADDR="10.9.0.1")
    assert bad.status_code == 429 and counted("10.9.0.1") == 6  # refused, still counted


def test_a_bound_persons_counted_check_in_is_still_one_statement_on_postgresql(
    client, token, django_assert_num_queries, settings, people
):
    settings.RATE_LIMIT_CACHE = "ratelimit"
    url = reverse("checkins:public_checkin", args=[token])
    form = registry_form(people.in_grid1a, "13800001111")
    assert client.post(url, form).status_code == 302  # binds, caches the code
    client.cookies.pop(DEVICE_COOKIE)
    # PostgreSQL: the count and the check-in in one statement; elsewhere the count, the
    # lookup, then the insert.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        response = client.post(url, {**form, "client_uuid": str(uuid.uuid4())})
    assert response.status_code == 302
    assert CheckIn.objects.count() == 2 and counted("127.0.0.1") == 2


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
@pytest.mark.parametrize("enabled", [True, False])
def test_the_hot_statements_are_prepared_once_per_connection(
    client, token, settings, enabled, people
):
    settings.SHUANGYING_PREPARED_STATEMENTS = enabled
    settings.CHECKIN_RATE_PER_ADDRESS = 0
    url = reverse("checkins:public_checkin", args=[token])
    for _ in range(3):
        client.cookies.pop(DEVICE_COOKIE, None)
        form = registry_form(people.in_grid1a, "13800001111")
        assert client.post(url, form).status_code == 302
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%checkins_%"],
        )
        statements = [row[0] for row in cursor.fetchall()]
    if enabled:
        assert any("people_person p" in s for s in statements), statements  # the lookup
        assert any("INSERT INTO checkins_checkin" in s for s in statements)  # the insert
    else:
        assert statements == []
    assert CheckIn.objects.count() == 3


def test_a_half_filled_companion_slot_is_shown_with_its_error(client, token):
    url = reverse("checkins:public_checkin", args=[token])
    response = client.post(url, first_form(**{"c1-name": "赵小宝"}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "同行人请同时填写姓名和证件号码" in body and 'value="赵小宝"' in body
    assert 'name="c0-name"' in body and 'name="c2-name"' in body  # every slot shown again
    assert not CheckIn.objects.exists() and not Person.objects.exists()


def test_the_pages_are_never_cached(client, token):
    url = reverse("checkins:public_checkin", args=[token])
    page = client.get(url)
    assert "no-cache" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    response = client.post(url, first_form())
    assert response.status_code == 302
    result = client.get(response.url)
    assert "no-store" in result["Cache-Control"]


@pytest.mark.parametrize("known", [False, True], ids=["new person", "known person"])
def test_a_public_scan_normalises_the_id_number_once(client, place, token, people, known):
    """Issue 15: the form's check, registering a new person and the health code each
    normalised the number again. Counted at the one real normalisation (the resident ID's
    checksum), however many functions the number passes through."""
    from unittest import mock

    from shuangying.people import identity

    form = registry_form(people.in_grid1a, "13800001111") if known else first_form()
    url = reverse("checkins:public_checkin", args=[token])
    with mock.patch.object(
        identity, "normalize_resident_id", wraps=identity.normalize_resident_id
    ) as spy:
        response = client.post(url, form)
    assert response.status_code == 302
    assert spy.call_count == 1
    assert Person.objects.filter(name=form["name"]).count() == 1
