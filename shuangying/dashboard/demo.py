"""The demo county of ``make run``, loaded in layer order: each app seeds its own part in its
own ``demo.py``; this module only calls them, and is the one place that knows them all.

1. divisions: Quwo's tree (seed 000);   2. accounts: departments, one account per role,
leaders and assignments;   3. people: households, returnees, staff surveys;   4. health
codes: Hubei's high-risk areas of 2020;   5. places and passes;   6. fevers: the fever loop's
episodes of February 2020;   6b. quarantine: Dingzhou's two sites and its 116
quarantined, 109 released, 7 still in (seed 001);   7. checkpoints: Dingzhou's checks (seed 001) in proportion to the
county, their fevers taken in by the fever loop;   8. supplies: Quwo's ledger (seed 000);
9. the health codes that follow, as of the demo's day.

Every step is skipped when its data is there, so a second run changes nothing, and a
database loaded before a step existed gets just that step.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from django.db import transaction

from shuangying.accounts import demo as accounts_demo
from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event
from shuangying.cases import demo as cases_demo
from shuangying.checkpoints import demo as checkpoints_demo
from shuangying.divisions import demo as divisions_demo
from shuangying.fevers import demo as fevers_demo
from shuangying.healthcodes import demo as healthcodes_demo
from shuangying.labs import demo as labs_demo
from shuangying.passes import demo as passes_demo
from shuangying.people import demo as people_demo
from shuangying.quarantine import demo as quarantine_demo
from shuangying.supplies import demo as supplies_demo

SEED = people_demo.SEED


@dataclass
class DemoLoad:
    steps: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.steps)


@transaction.atomic
def load_demo(*, persons: int = 20_000, seed: int = SEED) -> DemoLoad:
    started = time.perf_counter()
    made = DemoLoad()
    county = divisions_demo.demo_county()
    new_people = county is None
    if county is None:
        tree = divisions_demo.build_demo_tree(random.Random(f"{seed}-divisions"))
        county = tree.county
        org = accounts_demo.load_organisation(tree, random.Random(f"{seed}-accounts"))
        summary = people_demo.load_people(
            tree, org.departments, random.Random(f"{seed}-people"), persons=persons
        )
        summary.townships, summary.villages = len(tree.towns), tree.villages
        summary.grids, summary.compounds = tree.grids, len(tree.compounds)
        summary.accounts, summary.assignments = org.accounts, org.assignments
        made.steps.append(f"{county.name}：{summary.describe()}")
    new_areas = not healthcodes_demo.risk_areas_exist()
    if new_areas:
        n = healthcodes_demo.load_risk_areas()
        made.steps.append(f"风险地区：湖北省各市（州）{n}个，2020年1月23日起为高风险地区")
    cases = cases_demo.load_cases(county)
    if cases is not None:
        made.steps.append(f"病例与救治：{cases}")
    labs = labs_demo.load_labs(county)
    if labs is not None:
        made.steps.append(f"采样检测：{labs}")
    places = passes_demo.load_places_and_passes(county)
    if places is not None:
        made.steps.append(f"场所与通行证：{places.describe()}")
    fevers = fevers_demo.load_fevers(county)
    if fevers is not None:
        made.steps.append(f"发热闭环：{fevers.describe()}")
    quarantine = quarantine_demo.load_quarantine(county)
    if quarantine is not None:
        made.steps.append(f"隔离管理：{quarantine.describe()}")
    if not checkpoints_demo.demo_exists(county):
        cp = checkpoints_demo.build_checkpoint_demo(
            county, scale=checkpoints_demo.scale_for(persons)
        )
        made.steps.append(
            f"卡口检查：{cp.checkpoints}个卡口，检查{cp.persons}人次、{cp.vehicles}车次，"
            f"发现发热{cp.fevers}人，劝返{cp.turned_back}人次"
        )
    supplies = supplies_demo.load_supplies(county)
    if supplies is not None:
        made.steps.append(f"应急物资：{supplies.describe()}")
    if new_people or new_areas:
        day = people_demo.SCENARIO_DATE
        codes = healthcodes_demo.evaluate_codes(day)
        made.steps.append(
            f"健康码：按演示日{day.year}年{day.month}月{day.day}日赋码{sum(codes.values())}人，"
            f"其中黄码{codes.get('yellow', 0)}人、红码{codes.get('red', 0)}人"
        )
    made.seconds = time.perf_counter() - started
    if made.changed:
        record_event(
            action=AuditAction.IMPORT,
            object_type="demo",
            object_id=county.pk,
            summary=f"载入演示数据 {county.name}：" + "；".join(made.steps)[:400],
        )
    return made


def reset_demo() -> None:
    """Remove what load_demo made (not the audit trail), top layer first. Data entered on
    the demo since (check-ins at its places, say) may still refer to it: then this raises
    ProtectedError, and the database file has to go instead."""
    with transaction.atomic():
        county = divisions_demo.demo_county()
        supplies_demo.remove_supplies()
        quarantine_demo.remove_quarantine()
        if county is not None:
            fevers_demo.remove_fevers(county)
            checkpoints_demo.remove_checkpoint_demo(county)
            passes_demo.remove_places_and_passes(county)
        labs_demo.remove_labs()
        cases_demo.remove_cases()
        healthcodes_demo.remove_risk_areas()
        accounts_demo.remove_organisation(county)
        if county is not None:
            people_demo.remove_people(county)
            divisions_demo.remove_tree(county)
