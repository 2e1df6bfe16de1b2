"""Demo places, closed-management rules and passes for a county (``load_pass_demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from shuangying.accounts.models import User
from shuangying.divisions.models import Division
from shuangying.people.models import Household
from shuangying.places.models import Place
from shuangying.places.services import create_place

from .services import apply_for_pass, decide_pass_application, issue_pass, save_rule

TOWNSHIP_PLACES = (("market", "农贸市场"), ("supermarket", "超市"), ("pharmacy", "药店"))
VILLAGES_PER_TOWNSHIP = 5
PASSES_PER_VILLAGE = 40
PLATES = ("晋L12345", "晋LD12345", "晋L6A321")
PENDING_PLATE = "晋L8B765"


@dataclass
class DemoPlaces:
    places: int = 0
    rules: int = 0
    passes: int = 0

    def describe(self) -> str:
        return f"场所{self.places}个，封闭管理规则{self.rules}条，通行证{self.passes}张"


@transaction.atomic
def load_places_and_passes(root: Division) -> DemoPlaces | None:
    """Places in every township, a gate and a rule (07:30–21:00, one member per household
    out every 2 days, no outsiders) in the first villages, household passes, and a few
    transport passes. None when the county already has places."""
    if Place.objects.filter(division__path__startswith=root.path).exists():
        return None
    made = DemoPlaces()
    now = timezone.now()
    townships = Division.objects.filter(parent=root, level=2).order_by("path")
    for town in townships:
        for kind, label in TOWNSHIP_PLACES:
            create_place(type=kind, name=f"{town.name}{label}", division=town)
            made.places += 1
        create_place(type="traffic_checkpoint", name=f"{town.name}交通卡口", division=town)
        made.places += 1
        villages = Division.objects.filter(parent=town, level=3).order_by("path")
        for village in villages[:VILLAGES_PER_TOWNSHIP]:
            gate_type = "compound_entrance" if village.kind == "community" else "village_gate"
            create_place(type=gate_type, name=f"{village.name}出入口", division=village)
            save_rule(
                actor=None,
                division=village,
                opens_at=time(7, 30),
                closes_at=time(21, 0),
                exit_interval_days=2,
                admit_outsiders=False,
            )
            made.places += 1
            made.rules += 1
            households = Household.objects.filter(division__path__startswith=village.path).order_by(
                "pk"
            )[:PASSES_PER_VILLAGE]
            for household in households:
                issue_pass(
                    actor=None,
                    type="household",
                    division=household.division,
                    household=household,
                    valid_from=now - timedelta(days=1),
                    valid_until=now + timedelta(days=30),
                )
                made.passes += 1
    # The food company's vehicles: its contact asked for each transport pass, the township
    # issued them; the last application still waits.
    first_town = townships.first() or root
    enterprise = User.objects.filter(username="enterprise").first()
    for i, plate in enumerate((*PLATES, PENDING_PLATE)):
        application = apply_for_pass(
            actor=enterprise,
            division=first_town,
            holder_name=f"演示食品有限公司{i + 1}号车",
            plate=plate,
            route="厂区—县城—高速入口",
            purpose="生活物资运输",
            valid_from=now - timedelta(days=1),
            valid_until=now + timedelta(days=14),
        )
        if plate != PENDING_PLATE:
            decide_pass_application(actor=None, application=application, issue=True)
            made.passes += 1
    return made


@transaction.atomic
def remove_places_and_passes(root: Division) -> None:
    """The county's passes, gate checks, rules and places (``load_demo --reset``)."""
    from shuangying.places.models import PosterBatch

    from .models import ClosedManagementRule, Pass, PassApplication, PassCheck

    inside = {"division__path__startswith": root.path}
    PassApplication.objects.filter(**inside).delete()
    PassCheck.objects.filter(place__division__path__startswith=root.path).delete()
    PassCheck.objects.filter(pass_obj__division__path__startswith=root.path).delete()
    Pass.objects.filter(**inside).delete()
    ClosedManagementRule.objects.filter(**inside).delete()
    PosterBatch.objects.filter(**inside).delete()
    Place.objects.filter(**inside).delete()
