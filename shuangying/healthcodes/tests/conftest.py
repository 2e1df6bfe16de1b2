import pytest


@pytest.fixture
def health(county):
    """A 卫健局 officer holding the health role over the whole county."""
    from shuangying.testing import make_user

    return make_user("health", "health_officer", [county.county], department=county.health)
