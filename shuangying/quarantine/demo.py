"""The demo's quarantine (seed 001), fixed seed.

From the seed: Dingzhou decided on 28 January to set up centralised sites; on 29 January the
first 2 were ready and 1 opened; by the report 116 people had been quarantined, 109 released
and 7 were still in. ASSUMED (no seed gives them): the sites' names, kinds and rooms (one
person per room, as Suichang did, seed 004), the persons (drawn from the demo registry), the
reasons (mostly close contacts), the start days (29 January to 2 February for the 109 who were
released on their 14th day, 3 to 9 February for the 7 still in), the negative tests on
days 7 and 13 that release them (taken at the demo's first lab), and the daily reports of
the 7 from 10 to 15 February: about one in twelve missing, two abnormal (a fever of 37.8 °C
and a dry cough), which open fever episodes in the home-quarantine channel."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from shuangying.labs.models import Lab
from shuangying.labs.queries import sampled_persons
from shuangying.labs.services import ResultItem, record_results, take_sample
from shuangying.people.models import Person

from . import services
from .choices import Reason
from .models import DailyReport, OrderChange, QuarantineOrder, Room, Site, Stay
from .rules import day_date, test_days

TZ = ZoneInfo("Asia/Shanghai")
SEED = 2020
SITES = [  # name, kind, opened, rooms — ASSUMED but the opening day (seed 001)
    ("城南宾馆集中隔离点", "hotel", date(2020, 1, 29), 70),
    ("县职业学校集中隔离点", "school", date(2020, 1, 29), 60),
]
RELEASED, STILL_IN = 109, 7  # seed 001
REASONS = [Reason.CLOSE_CONTACT] * 6 + [Reason.SECONDARY_CONTACT] * 3 + [Reason.RISK_ARRIVAL]


@dataclass
class QuarantineDemo:
    sites: int
    rooms: int
    cumulative: int
    released: int
    reports: int = 0
    abnormal: int = 0

    def describe(self) -> str:
        return (
            f"{self.sites}个集中隔离点{self.rooms}间房，累计隔离{self.cumulative}人，"
            f"解除隔离{self.released}人，仍在隔离{self.cumulative - self.released}人，"
            f"健康报告{self.reports}条（异常{self.abnormal}条）"
        )


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def demo_exists() -> bool:
    return Site.objects.exists()


@transaction.atomic
def load_quarantine(county) -> QuarantineDemo | None:
    """Two sites with their rooms and Dingzhou's 116 / 109 / 7; None when already there or
    when the registry has too few persons."""
    if demo_exists():
        return None
    rng = random.Random(SEED)
    candidates = list(
        Person.objects.filter(division__path__startswith=county.path)
        .exclude(quarantine_orders__state="active")
        # Not a person of the labs' demo: a release's new negative sample would take them off
        # the labs' re-sample list.
        .exclude(pk__in=sampled_persons())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    total = RELEASED + STILL_IN
    if len(candidates) < total:
        return None
    town = county.__class__.objects.filter(parent=county).order_by("path").first() or county
    rooms = []
    for name, kind, opened, count in SITES:
        site = services.create_site(name=name, kind=kind, division=town, opened_on=opened)
        rooms += [services.create_room(site=site, number=f"{100 + i}") for i in range(1, count + 1)]
    chosen = rng.sample(candidates, total)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=chosen).select_related("division")}
    lab = Lab.objects.order_by("pk").first()
    orders = []
    for i, pk in enumerate(chosen):
        if i < RELEASED:
            start = date(2020, 1, 29) + timedelta(days=i % 5)
        else:
            start = date(2020, 2, 3) + timedelta(days=i - RELEASED)
        order = services.open_order(
            person=persons[pk], kind="centralised", reason=rng.choice(REASONS), start_date=start
        ).order
        services.allocate_room(order=order, room=rooms[i], at=_at(start, 15))
        orders.append(order)
    if lab is not None:
        _negative_tests(orders[:RELEASED], lab)
        for order in orders[:RELEASED]:
            services.release_order(
                order=order, note="期满，两次核酸阴性", at=_at(order.end_date, 16)
            )
    released = 0 if lab is None else RELEASED
    # The rooms emptied before the last day are cleaned; the last day's still wait.
    last = max((o.end_date for o in orders[:released]), default=None)
    cleaning = Room.objects.filter(state="cleaning")
    if last is not None:
        cleaning = cleaning.exclude(stays__order__end_date=last)
    for room in cleaning:
        services.mark_room_cleaned(room=room)
    reports = _daily_reports(orders[RELEASED:], rng)
    return QuarantineDemo(len(SITES), len(rooms), total, released, *reports)


def _daily_reports(orders, rng: random.Random) -> tuple[int, int]:
    """Reports of the orders still in, 10 to 15 February: some missing, two abnormal."""
    made = abnormal = 0
    odd = {(0, date(2020, 2, 14), 2): ("37.8", ""), (3, date(2020, 2, 15), 1): ("36.9", "干咳")}
    for i, order in enumerate(orders):
        for offset in range(6):
            day = date(2020, 2, 10) + timedelta(days=offset)
            for slot in (1, 2):
                if day < order.start_date or rng.random() < 0.08:
                    continue
                temperature, symptoms = odd.get((i, day, slot), (f"36.{rng.randint(2, 8)}", ""))
                result = services.submit_report(
                    order=order, day=day, slot=slot, temperature=temperature, symptoms=symptoms
                )
                made += 1
                abnormal += result.report.abnormal
    return made, abnormal


def _negative_tests(orders, lab) -> None:
    items = []
    for order in orders:
        for n in test_days(order):
            barcode = f"GL{order.pk:05}{n:02}"
            sampled = _at(day_date(order, n), 9)
            take_sample(person=order.person, barcode=barcode, sampled_at=sampled, lab=lab)
            items.append(
                ResultItem(
                    barcode=barcode, result="negative", resulted_at=sampled + timedelta(hours=6)
                )
            )
    record_results(items=items)


def remove_quarantine() -> None:
    DailyReport.objects.all().delete()
    Stay.objects.all().delete()
    OrderChange.objects.all().delete()
    QuarantineOrder.objects.all().delete()
    Room.objects.all().delete()
    Site.objects.all().delete()
