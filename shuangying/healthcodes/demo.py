"""The demo's epidemic as health codes see it (D1, D3): Hubei's cities as high-risk areas
from the Wuhan lockdown on, and every demo person's code as of the demo's day.

Risk areas go in through ``services.save_risk_area`` (audited like a commander's entry);
the codes follow from the people's trips through the same set-based re-evaluation the daily
job runs (``engine.reevaluate_all``), so a returnee from Wuhan in the last week before the
demo's day is yellow and one who came back a month ago is green again. Codes issued live
reckon from the demo's day as well as today (engine.current_code, SHUANGYING_DEMO_AS_OF).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count

from .choices import RiskLevel
from .engine import demo_moment, reevaluate_all
from .models import HealthCodeState, RiskArea
from .services import ensure_default_rules, save_risk_area

LOCKDOWN = date(2020, 1, 23)  # Wuhan closed its outbound routes; Hubei's cities followed
HUBEI_REOPENED = date(2020, 3, 24)  # Hubei outside Wuhan lifted its outbound controls on 25 March
WUHAN_REOPENED = date(2020, 4, 7)  # Wuhan's outbound routes reopened on 8 April
DEMO_NOTE = "演示数据：湖北省各市（州）2020年疫情高风险地区"

# GB/T 2260 codes of Hubei's prefecture-level divisions and the directly-administered cities.
HUBEI_CITIES = [
    ("420100", "湖北省武汉市"),
    ("420200", "湖北省黄石市"),
    ("420300", "湖北省十堰市"),
    ("420500", "湖北省宜昌市"),
    ("420600", "湖北省襄阳市"),
    ("420700", "湖北省鄂州市"),
    ("420800", "湖北省荆门市"),
    ("420900", "湖北省孝感市"),
    ("421000", "湖北省荆州市"),
    ("421100", "湖北省黄冈市"),
    ("421200", "湖北省咸宁市"),
    ("421300", "湖北省随州市"),
    ("422800", "湖北省恩施土家族苗族自治州"),
    ("429004", "湖北省仙桃市"),
    ("429005", "湖北省潜江市"),
    ("429006", "湖北省天门市"),
    ("429021", "湖北省神农架林区"),
]


def risk_areas_exist() -> bool:
    return RiskArea.objects.filter(notes=DEMO_NOTE).exists()


@transaction.atomic
def load_risk_areas() -> int:
    """Hubei's cities, high risk from the lockdown until their outbound routes reopened."""
    for code, name in HUBEI_CITIES:
        save_risk_area(
            code=code,
            name=name,
            level=RiskLevel.HIGH,
            start_date=LOCKDOWN,
            end_date=WUHAN_REOPENED if code == "420100" else HUBEI_REOPENED,
            notes=DEMO_NOTE,
        )
    return len(HUBEI_CITIES)


def evaluate_codes(day: date) -> dict[str, int]:
    """Trips from risk areas become events, then every person's code is rewritten as of
    ``day``. Returns the number of persons of each colour."""
    ensure_default_rules()
    reevaluate_all(demo_moment(day))
    rows = HealthCodeState.objects.values_list("colour").annotate(n=Count("pk")).order_by()
    return dict(rows)


def remove_risk_areas() -> None:
    RiskArea.objects.filter(notes=DEMO_NOTE).delete()
