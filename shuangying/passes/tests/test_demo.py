import pytest

from shuangying.passes.demo import load_places_and_passes
from shuangying.passes.models import ClosedManagementRule, Pass
from shuangying.people.services import create_household
from shuangying.places.models import Place, PlaceCode

pytestmark = pytest.mark.django_db


def test_load_pass_demo_once(county):
    create_household(actor=None, division=county.grid1a, number="D1", address="东村1号")
    assert load_places_and_passes(county.county) is not None
    assert Place.objects.filter(name="一镇农贸市场").exists()
    assert PlaceCode.objects.filter(revoked_at__isnull=True).count() == Place.objects.count()
    assert ClosedManagementRule.objects.filter(division=county.village1, is_active=True).exists()
    assert Pass.objects.filter(type="household").count() == 1
    assert Pass.objects.filter(type="transport").count() == 3
    count = Place.objects.count()
    assert load_places_and_passes(county.county) is None
    assert Place.objects.count() == count
