"""Issue 17: the public check-in trusts a typed identity only once it is bound (name as the
registry has it, and the registry's phone or a one-time code), and nothing typed by an
unbound phone changes anyone's health code, backdates a visit or reuses a UUID silently."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shuangying.checkins.models import CheckIn, CheckinRegistration, PendingDeclaration
from shuangying.checkins.services import purge_unverified_persons
from shuangying.healthcodes.engine import current_code
from shuangying.healthcodes.models import HealthEvent
from shuangying.identity.devices import DEVICE_COOKIE
from shuangying.identity.models import OneTimeCode, OutboxNotice, PublicIdentity
from shuangying.identity.services import OTP_MAX_ATTEMPTS, check_code, send_code
from shuangying.people.identity import make_resident_id
from shuangying.people.models import Person, phone_hash
from shuangying.testing import login

pytestmark = pytest.mark.django_db

REGISTRY_PHONE = "13800001111"  # people.in_grid1a's, as the registry holds it
NEW_PHONE = "13912340000"
UNKNOWN_ID = make_resident_id("130682", date(1994, 4, 4), 71)


def post(client, data, **headers):
    return client.post("/api/checkins", data, content_type="application/json", **headers)


def body(token, person=None, **extra):
    data = {
        "place_token": token,
        "client_uuid": str(uuid.uuid4()),
        "name": person.name if person else "孙未知",
        "id_number": person.reveal_id_number() if person else UNKNOWN_ID,
        "phone": REGISTRY_PHONE,
    }
    data.update(extra)
    return data


def last_code() -> str:
    return re.search(r"\d{6}", OutboxNotice.objects.first().text).group(0)


# The binding rules, case by case: (what is typed, status, bound, a code sent, rows written).
CASES = [
    ("right name + registry phone", {}, 201, True, False, 1),
    ("right name, spaces around it", {"name": " 张一甲 "}, 201, True, False, 1),
    ("right name + new phone", {"phone": NEW_PHONE}, 201, False, True, 1),
    ("wrong name", {"name": "冒名"}, 422, None, False, 0),
    ("wrong name + new phone", {"name": "冒名", "phone": NEW_PHONE}, 422, None, False, 0),
]


@pytest.mark.parametrize("case, typed, status, bound, sent, rows", CASES, ids=[c[0] for c in CASES])
def test_binding_rules(client, token, people, case, typed, status, bound, sent, rows):
    answer = post(client, body(token, people.in_grid1a, **typed))
    assert answer.status_code == status, answer.content
    data = answer.json()
    if status == 422:
        # Says only that it does not match, never which part.
        assert data["code"] == "identity_mismatch" and data["message"] == "信息不符"
        assert data.get("field") is None
    else:
        assert data["bound"] is bound and data["otp_sent"] is sent
        assert (data["person"]["ref"] is not None) is bound
        assert (data["health_code"] is not None) is bound
    assert CheckIn.objects.count() == rows
    assert OutboxNotice.objects.exists() is sent
    assert PublicIdentity.objects.filter(person=people.in_grid1a).exists() is bool(bound)


def test_unknown_number_is_recorded_unbound_and_unverified(client, token, place):
    data = post(client, body(token)).json()
    assert not data["bound"] and data["person"]["ref"] is None and data["health_code"] is None
    person = Person.objects.get(name="孙未知")
    assert not person.is_verified and CheckIn.objects.filter(person=person).count() == 1
    assert CheckinRegistration.objects.filter(person=person).exists()
    # The phone it typed proves nothing: the second scan is not bound either.
    again = post(client, body(token)).json()
    assert not again["bound"] and again["otp_sent"]


def test_new_phone_binds_with_the_code_sent_to_it(client, token, people):
    first = body(token, people.in_grid1a, phone=NEW_PHONE)
    assert post(client, first).json()["otp_sent"]
    notice = OutboxNotice.objects.get()
    assert notice.phone_hash == phone_hash(NEW_PHONE) and NEW_PHONE not in notice.phone_masked
    # The same submission again, with the code: this very check-in, now bound.
    answer = post(client, {**first, "otp": last_code()})
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["bound"] and data["person"]["ref"] and data["health_code"]["colour"] == "green"
    assert CheckIn.objects.count() == 1
    bound = PublicIdentity.objects.get(person=people.in_grid1a)
    assert bound.method == "otp" and bound.phone_hash == phone_hash(NEW_PHONE)
    # From then on that phone is bound without a code.
    assert post(client, body(token, people.in_grid1a, phone=NEW_PHONE)).json()["bound"]


def test_a_wrong_code_is_refused_and_binds_nothing(client, token, people):
    first = body(token, people.in_grid1a, phone=NEW_PHONE)
    post(client, first)
    wrong = "000000" if last_code() != "000000" else "111111"
    answer = post(client, {**first, "otp": wrong})
    assert answer.status_code == 422 and answer.json()["field"] == "otp"
    assert not PublicIdentity.objects.exists()


def test_a_used_code_cannot_be_replayed(people):
    me = people.in_grid1a
    assert send_code(person=me, phone=NEW_PHONE)
    code = last_code()
    check_code(person=me, phone_digest=phone_hash(NEW_PHONE), code=code)
    with pytest.raises(Exception, match="已失效"):
        check_code(person=me, phone_digest=phone_hash(NEW_PHONE), code=code)


def test_a_code_for_another_phone_does_not_bind_this_one(people):
    me = people.in_grid1a
    assert send_code(person=me, phone=NEW_PHONE)
    with pytest.raises(Exception, match="已失效"):
        check_code(person=me, phone_digest=phone_hash("13912349999"), code=last_code())


def test_guessing_the_code_is_limited(people):
    me = people.in_grid1a
    send_code(person=me, phone=NEW_PHONE)
    code, digest = last_code(), phone_hash(NEW_PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(OTP_MAX_ATTEMPTS):
        with pytest.raises(Exception, match="不正确"):
            check_code(person=me, phone_digest=digest, code=wrong)
    # The code died with the last wrong try: the right one no longer works.
    with pytest.raises(Exception, match="已失效"):
        check_code(person=me, phone_digest=digest, code=code)


def test_codes_are_sent_at_most_once_a_minute_and_five_an_hour(people):
    me = people.in_grid1a
    assert send_code(person=me, phone=NEW_PHONE)
    assert not send_code(person=me, phone=NEW_PHONE)
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    for _ in range(4):
        assert send_code(person=me, phone=NEW_PHONE)
        OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert not send_code(person=me, phone=NEW_PHONE)
    assert OutboxNotice.objects.count() == 5


def test_the_reported_attack_no_longer_works(client, token, people):
    """Issue 17's report: a victim's number with another name, a fever, six days back."""
    victim = people.in_grid1a
    assert current_code(victim).colour == "green"
    impostor = post(client, body(token, victim, name="冒名", phone="13800000000", fever=True))
    assert impostor.status_code == 422
    backdated = body(
        token,
        victim,
        phone="13800000000",
        fever=True,
        checked_in_at=(timezone.now() - timedelta(days=6)).isoformat(),
    )
    answer = post(client, backdated)
    assert answer.status_code == 422 and answer.json()["field"] == "checked_in_at"
    now = post(client, body(token, victim, phone="13800000000", fever=True)).json()
    assert not now["bound"] and now["person"]["ref"] is None and now["health_code"] is None
    assert now["pending"]
    assert not HealthEvent.objects.filter(person=victim).exists()
    assert current_code(victim).colour == "green"
    assert client.post("/api/healthcodes/issue/mine").json() == {"items": []}


def test_a_phone_scan_may_be_a_few_minutes_off_but_no_more(client, token, people):
    me = people.in_grid1a
    ok = body(token, me, checked_in_at=(timezone.now() - timedelta(minutes=2)).isoformat())
    assert post(client, ok).status_code == 201
    late = body(token, me, checked_in_at=(timezone.now() - timedelta(minutes=30)).isoformat())
    answer = post(client, late)
    assert answer.status_code == 422 and "5分钟" in answer.json()["message"]


def test_an_offline_device_keeps_its_window(client, token, personas):
    login(client, personas["checkpoint"])
    item = {
        "client_uuid": str(uuid.uuid4()),
        "place_token": token,
        "name": "周离线",
        "id_number": UNKNOWN_ID,
        "checked_in_at": (timezone.now() - timedelta(days=3)).isoformat(),
    }
    answer = client.post(
        "/api/checkins/batch", {"items": [item]}, content_type="application/json"
    ).json()
    assert answer["created"] == 1


def test_the_same_uuid_with_another_body_is_409(client, token, people):
    first = body(token, people.in_grid1a)
    assert post(client, first).status_code == 201
    assert post(client, first).status_code == 200  # a true resend
    changed = post(client, {**first, "fever": True})
    assert changed.status_code == 409
    assert changed.json()["code"] == "uuid_reused_with_different_content"
    assert CheckIn.objects.count() == 1 and not HealthEvent.objects.exists()


def test_the_same_uuid_with_another_body_on_the_page_is_409(client, token, people):
    from shuangying.checkins.tests.test_public import registry_form

    url = reverse("checkins:public_checkin", args=[token])
    form = registry_form(people.in_grid1a, REGISTRY_PHONE)
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "fever": "on"})
    assert response.status_code == 409 and "重复提交的内容不一致" in response.content.decode()


def test_unbound_declarations_wait_for_the_grid_worker(client, token, people, personas):
    victim = people.in_grid1a
    post(client, body(token, victim, phone=NEW_PHONE, symptoms=["cough"]))
    pending = PendingDeclaration.objects.get()
    assert pending.person_id == victim.pk and pending.status == "pending"
    assert not HealthEvent.objects.exists()
    # Another grid's worker neither sees nor decides it.
    login(client, personas["grid2a"])
    page = client.get(reverse("checkins:pending_declarations"))
    assert page.status_code == 200 and 'data-testid="declaration"' not in page.content.decode()
    decide = reverse("checkins:decide_declaration", args=[pending.pk])
    assert client.post(decide, {"decision": "confirm"}).status_code == 404
    # The person's own grid worker confirms: only now does it reach the rules.
    login(client, personas["grid1a"])
    page = client.get(reverse("checkins:pending_declarations"))
    assert 'data-testid="declaration"' in page.content.decode()
    assert client.post(decide, {"decision": "confirm"}).status_code == 302
    event = HealthEvent.objects.get()
    assert event.kind == "symptoms_declared" and event.person_id == victim.pk
    assert current_code(victim).colour == "yellow"
    pending.refresh_from_db()
    assert pending.status == "confirmed" and pending.decided_by == personas["grid1a"]


def test_a_rejected_declaration_records_nothing(client, token, people, personas):
    post(client, body(token, people.in_grid1a, phone=NEW_PHONE, fever=True))
    pending = PendingDeclaration.objects.get()
    login(client, personas["grid1a"])
    decide = reverse("checkins:decide_declaration", args=[pending.pk])
    client.post(decide, {"decision": "reject"})
    pending.refresh_from_db()
    assert pending.status == "rejected" and not HealthEvent.objects.exists()


def test_a_bound_persons_declaration_counts_at_once(client, token, people):
    data = post(client, body(token, people.in_grid1a, fever=True)).json()
    assert data["bound"] and data["health_code"]["colour"] == "yellow"
    assert not PendingDeclaration.objects.exists()


def test_new_persons_are_throttled_per_address(client, token, settings):
    settings.CHECKIN_REGISTER_RATE_PER_ADDRESS = 2
    codes = []
    for n in range(3):
        number = make_resident_id("130682", date(1995, 5, 5), 80 + n)
        codes.append(post(client, body(token, id_number=number)).status_code)
    assert codes == [201, 201, 429]
    assert Person.objects.filter(name="孙未知").count() == 2


def test_new_persons_are_throttled_per_place(client, token, settings):
    settings.CHECKIN_REGISTER_RATE_PER_DEVICE = 2  # the scope's "device" is the place
    codes = []
    for n in range(3):
        number = make_resident_id("130682", date(1995, 5, 5), 90 + n)
        codes.append(
            post(client, body(token, id_number=number), REMOTE_ADDR=f"10.0.2.{n}").status_code
        )
    assert codes == [201, 201, 429]


def test_persons_created_by_check_ins_expire_unless_verified_or_bound(client, token, people):
    for n in range(3):
        number = make_resident_id("130682", date(1996, 6, 6), 60 + n)
        post(client, body(token, id_number=number, name=f"过客{n}"))
    stray, verified, bound = (Person.objects.get(name=f"过客{n}") for n in range(3))
    Person.objects.filter(pk=verified.pk).update(is_verified=True)
    PublicIdentity.objects.create(person=bound, phone_hash="x", method="otp")
    long_ago = timezone.now() - timedelta(days=40)
    CheckinRegistration.objects.update(created_at=long_ago)
    assert purge_unverified_persons() == 0  # their check-ins are still kept
    CheckIn.objects.all().delete()
    assert purge_unverified_persons() == 1
    assert not Person.objects.filter(pk=stray.pk).exists()
    assert Person.objects.filter(pk__in=[verified.pk, bound.pk]).count() == 2
    assert Person.objects.filter(pk=people.in_grid1a.pk).exists()


def test_issue_mine_is_rate_limited(client, settings):
    settings.HEALTHCODE_MINE_RATE_PER_ADDRESS = 2
    codes = [client.post("/api/healthcodes/issue/mine").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_issue_mine_serves_only_bound_devices(client, token, people):
    post(client, body(token, people.in_grid1a, phone=NEW_PHONE))
    assert client.post("/api/healthcodes/issue/mine").json() == {"items": []}


class TestThePageFollowsTheSameRules:
    def url(self, token):
        return reverse("checkins:public_checkin", args=[token])

    def test_wrong_name(self, client, token, people):
        from shuangying.checkins.tests.test_public import registry_form

        form = registry_form(people.in_grid1a, REGISTRY_PHONE, name="冒名")
        response = client.post(self.url(token), form)
        body = response.content.decode()
        assert response.status_code == 400 and "信息不符" in body
        assert "张一甲" not in body.replace('value="冒名"', "")  # the registry name not shown
        assert not CheckIn.objects.exists()

    def test_new_phone_then_the_code(self, client, token, people):
        from shuangying.checkins.tests.test_public import registry_form

        form = registry_form(people.in_grid1a, NEW_PHONE)
        response = client.post(self.url(token), form)
        assert response.status_code == 200 and 'data-testid="otp-sent"' in response.content.decode()
        assert CheckIn.objects.count() == 1 and DEVICE_COOKIE not in client.cookies
        done = client.post(self.url(token), {**form, "otp": last_code()})
        assert done.status_code == 302 and CheckIn.objects.count() == 1
        assert 'data-testid="code"' in client.get(done.url).content.decode()
        ref = PublicIdentity.objects.get(person=people.in_grid1a).ref
        assert ref in client.cookies[DEVICE_COOKIE].value

    def test_unbound_declaration_is_pending_not_shown(self, client, token, people):
        from shuangying.checkins.tests.test_public import first_form

        response = client.post(self.url(token), first_form(fever="on"))
        assert response.status_code == 302
        body = client.get(response.url).content.decode()
        assert 'data-testid="pending"' in body and 'data-testid="code"' not in body
        assert PendingDeclaration.objects.count() == 1 and not HealthEvent.objects.exists()

    def test_new_persons_are_throttled(self, client, token, settings):
        from shuangying.checkins.tests.test_public import first_form

        settings.CHECKIN_REGISTER_RATE_PER_ADDRESS = 1
        assert client.post(self.url(token), first_form()).status_code == 302
        other = first_form(id_number=UNKNOWN_ID, name="钱另一")
        assert client.post(self.url(token), other).status_code == 429


def test_guessing_through_the_api_is_limited(client, token, people):
    first = body(token, people.in_grid1a, phone=NEW_PHONE)
    post(client, first)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(OTP_MAX_ATTEMPTS):
        assert post(client, {**first, "otp": wrong}).status_code == 422
    late = post(client, {**first, "otp": code})
    assert late.status_code == 422 and "已失效" in late.json()["message"]
    assert not PublicIdentity.objects.exists()


def test_my_code_page_has_the_same_limit(client, settings):
    settings.HEALTHCODE_MINE_RATE_PER_ADDRESS = 1
    url = reverse("healthcodes:my_code")
    assert [client.get(url).status_code for _ in range(2)] == [200, 429]
