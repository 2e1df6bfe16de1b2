import pytest

from shuangying.places.services import create_place
from shuangying.places.tokens import token_for


@pytest.fixture
def place(county):
    return create_place(type="market", name="东村农贸市场", division=county.grid1a)


@pytest.fixture
def token(place):
    return token_for(place.codes.get(revoked_at__isnull=True))


@pytest.fixture
def other_place(county):
    return create_place(type="supermarket", name="西村超市", division=county.grid2a)
