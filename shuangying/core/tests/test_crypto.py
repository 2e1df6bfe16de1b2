"""M1: authenticated encryption, key rotation, keyed hashes, masks."""

import base64
import os

import pytest
from django.core.management import call_command

from shuangying.core import crypto
from shuangying.core.masking import mask_id_number, mask_phone

KEY_A = "a:" + base64.urlsafe_b64encode(os.urandom(32)).decode()
KEY_B = "b:" + base64.urlsafe_b64encode(os.urandom(32)).decode()


def test_round_trip_and_nondeterministic(settings):
    settings.SHUANGYING_DATA_KEYS = KEY_A
    one = crypto.encrypt("11010519491231002X", context="person.id_number")
    two = crypto.encrypt("11010519491231002X", context="person.id_number")
    assert one != two and "11010519491231002X" not in one
    assert crypto.decrypt(one, context="person.id_number") == "11010519491231002X"


def test_wrong_key_raises_never_returns_ciphertext(settings):
    settings.SHUANGYING_DATA_KEYS = KEY_A
    token = crypto.encrypt("13812345678", context="person.phone")
    settings.SHUANGYING_DATA_KEYS = KEY_B
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="person.phone")
    # Same key id, different key material: the tag fails.
    settings.SHUANGYING_DATA_KEYS = "a:" + base64.urlsafe_b64encode(os.urandom(32)).decode()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="person.phone")


def test_context_is_bound(settings):
    settings.SHUANGYING_DATA_KEYS = KEY_A
    token = crypto.encrypt("13812345678", context="person.phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, context="person.id_number")


def test_tampered_value_fails(settings):
    settings.SHUANGYING_DATA_KEYS = KEY_A
    token = crypto.encrypt("13812345678", context="person.phone")
    key_id, body = token.split("$")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{key_id}${base64.b64encode(bytes(raw)).decode()}", context="person.phone")


def test_keyed_hash_depends_on_key(settings):
    settings.SHUANGYING_HASH_KEY = "one"
    first = crypto.lookup_hash("13812345678", context="person.phone")
    settings.SHUANGYING_HASH_KEY = "two"
    assert crypto.lookup_hash("13812345678", context="person.phone") != first


@pytest.mark.django_db
def test_rotation_re_encrypts_every_row(settings, people):
    old_key = settings.SHUANGYING_DATA_KEYS
    plain = people.in_grid1a.reveal_id_number()
    settings.SHUANGYING_DATA_KEYS = f"{KEY_B},{old_key}"
    call_command("rotate_keys")
    from shuangying.people.models import Person

    assert all(v.startswith("b$") for v in Person.objects.values_list("id_number_enc", flat=True))
    settings.SHUANGYING_DATA_KEYS = KEY_B  # the old key can now go
    assert Person.objects.get(pk=people.in_grid1a.pk).reveal_id_number() == plain


def test_masks():
    assert mask_id_number("330106199001011234") == "330106********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0357-1234567") == "0357-*****67"
