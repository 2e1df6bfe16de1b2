import pytest
from django.core.management import call_command

from shuangying.passes.models import ClosedManagementRule, Pass
from shuangying.people.services import create_household
from shuangying.places.models import Place, PlaceCode

pytestmark = pytest.mark.django_db


def test_load_pass_demo_once(settings, county, capsys):
    settings.SHUANGYING_DEMO = True
    create_household(actor=None, division=county.grid1a, number="D1", address="东村1号")
    call_command("load_pass_demo")
    assert Place.objects.filter(name="一镇农贸市场").exists()
    assert PlaceCode.objects.filter(revoked_at__isnull=True).count() == Place.objects.count()
    assert ClosedManagementRule.objects.filter(division=county.village1, is_active=True).exists()
    assert Pass.objects.filter(type="household").count() == 1
    assert Pass.objects.filter(type="transport").count() == 3
    count = Place.objects.count()
    call_command("load_pass_demo")
    assert Place.objects.count() == count
    assert "未做任何修改" in capsys.readouterr().out
