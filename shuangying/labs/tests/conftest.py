from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shuangying.labs.services import create_lab, create_sampling_point
from shuangying.testing import make_user

TZ = ZoneInfo("Asia/Shanghai")


def at(day, hour=9, minute=0):
    return datetime(2020, 2, day, hour, minute, tzinfo=TZ)


DAY = date(2020, 2, 10)


@pytest.fixture
def labs(county):
    return (
        create_lab(name="甲实验室", division=county.county, daily_capacity=2),
        create_lab(name="乙实验室", division=county.county, daily_capacity=1),
    )


@pytest.fixture
def point(county):
    return create_sampling_point(name="一镇采样点", division=county.town1)


@pytest.fixture
def labber(county):
    return make_user("lab1", "lab_staff", [county.county])


@pytest.fixture
def cdc(county):
    return make_user("cdc", "health_officer", [county.county])
