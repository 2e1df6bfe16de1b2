from io import StringIO

import pytest
from django.core.management import call_command

from shuangying.divisions.demo import COUNTY_CODE
from shuangying.divisions.models import Division

SMALL = 500


@pytest.fixture
def demo_county(db, settings):
    settings.SHUANGYING_DEMO = True
    call_command("load_demo", persons=SMALL, stdout=StringIO())
    return Division.objects.get(path=f"{COUNTY_CODE}/")
