"""peek_token caches a known poster's token (no signature check, no query on a hit) and
still refuses forged tokens and tokens of another key."""

import pytest

from shuangying.places.services import create_place
from shuangying.places.tokens import PlaceTokenError, peek_token, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(county):
    place = create_place(type="market", name="缓存测试市场", division=county.grid1a)
    return place.codes.get(revoked_at__isnull=True)


def test_a_known_token_costs_no_query_the_second_time(code, django_assert_num_queries):
    token = token_for(code)
    assert peek_token(token).pk == code.pk
    with django_assert_num_queries(0):
        assert peek_token(token).pk == code.pk


def test_forged_and_foreign_tokens_are_refused_after_a_hit(code, settings):
    token = token_for(code)
    peek_token(token)
    with pytest.raises(PlaceTokenError):
        peek_token(token[:-1] + ("A" if token[-1] != "A" else "B"))
    settings.SECRET_KEY = "rotated-" + "k" * 50
    with pytest.raises(PlaceTokenError):
        peek_token(token)  # signed under the old key: no longer valid, cached or not
    assert peek_token(token_for(code)).pk == code.pk
