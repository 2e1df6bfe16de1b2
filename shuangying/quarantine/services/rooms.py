"""Sites, rooms and stays (F2).

A room's open stays are counted under the room's row lock, and the database refuses two open
stays on one bed (``quarantine_bed_one_open_stay``) and two open stays of one order: even two
requests that both passed the count cannot double-book. A room takes one person unless its
site lets a household share it, and then only members of the occupant's household, up to its
beds. A room emptied by a release or a transfer waits for cleaning before its next guest."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction

from ..choices import OrderKind, OrderState, RoomState, SiteKind
from ..models import QuarantineOrder, Room, Site, Stay


@transaction.atomic
def create_site(
    *,
    name: str,
    kind: str,
    division,
    address: str = "",
    manager: str = "",
    shared_households: bool = False,
    opened_on=None,
    actor=None,
) -> Site:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "名称：必填"})
    if kind not in SiteKind.values:
        raise ValidationError({"kind": "类型：不是有效的取值"})
    if Site.objects.filter(name=name).exists():
        raise ValidationError({"name": f"名称：隔离点“{name}”已存在"})
    site = Site.objects.create(
        name=name,
        kind=kind,
        division=division,
        address=address,
        manager=manager,
        shared_households=shared_households,
        opened_on=opened_on,
    )
    site.log_action(AuditAction.CREATE, user=actor, summary=f"新增集中隔离点 {name}")
    return site


@transaction.atomic
def create_room(*, site: Site, number: str, beds: int = 1, actor=None) -> Room:
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": "房间号：必填"})
    if not isinstance(beds, int) or not 1 <= beds <= 20:
        raise ValidationError({"beds": "床位数：应在1到20之间"})
    if Room.objects.filter(site=site, number=number).exists():
        raise ValidationError({"number": f"房间号：{site.name}已有{number}房间"})
    room = Room.objects.create(site=site, number=number, beds=beds)
    room.log_action(AuditAction.CREATE, user=actor, summary=f"新增隔离房间 {room} {beds}床")
    return room


def _free_bed(room: Room, order: QuarantineOrder) -> int:
    """The first free bed of ``room`` (locked) for ``order``'s person, or a ValidationError
    saying why there is none."""
    if room.state == RoomState.CLEANING:
        raise ValidationError({"room": f"房间：{room}待消毒，消毒后才能入住"})
    occupants = list(
        Stay.objects.filter(room=room, to_at__isnull=True).select_related("order__person")
    )
    if occupants:
        household = order.person.household_id
        if not room.site.shared_households:
            raise ValidationError({"room": f"房间：{room}已有人入住（本隔离点单人单间）"})
        if household is None or any(s.order.person.household_id != household for s in occupants):
            raise ValidationError({"room": f"房间：{room}已有其他家庭的人员入住"})
    taken = {s.bed for s in occupants}
    for bed in range(1, room.beds + 1):
        if bed not in taken:
            return bed
    raise ValidationError({"room": f"房间：{room}床位已满（{len(taken)}/{room.beds}）"})


def _open_stay(order: QuarantineOrder, room: Room, at: datetime) -> Stay:
    bed = _free_bed(room, order)
    try:
        with transaction.atomic():
            stay = Stay.objects.create(order=order, room=room, bed=bed, from_at=at)
    except IntegrityError:
        # A concurrent allocation took the bed (or gave this order a room) first.
        raise ValidationError({"room": f"房间：{room}刚被分配，请另选房间"}) from None
    if room.state != RoomState.OCCUPIED:
        Room.objects.filter(pk=room.pk).update(state=RoomState.OCCUPIED)
    return stay


def close_stay(stay: Stay, *, at: datetime, reason: str) -> None:
    """End ``stay``; its room goes to cleaning when nobody is left in it."""
    Room.objects.select_for_update().get(pk=stay.room_id)
    stay.to_at = at
    stay.end_reason = reason
    stay.save(update_fields=["to_at", "end_reason"])
    if not Stay.objects.filter(room_id=stay.room_id, to_at__isnull=True).exists():
        Room.objects.filter(pk=stay.room_id).update(state=RoomState.CLEANING)


def _active_order(order: QuarantineOrder) -> QuarantineOrder:
    order = QuarantineOrder.objects.select_for_update().select_related("person").get(pk=order.pk)
    if order.state != OrderState.ACTIVE:
        raise ValidationError({"order": "隔离令：已解除，不能分配房间"})
    if order.kind == OrderKind.HOME:
        raise ValidationError({"room": "房间：居家隔离不分配隔离点房间"})
    return order


@transaction.atomic
def allocate_room(
    *, order: QuarantineOrder, room: Room, actor=None, at: datetime | None = None
) -> Stay:
    """Put ``order``'s person in ``room``: refused when the order already has a room (use
    ``transfer_stay``), the room waits for cleaning, or it has no bed for them."""
    order = _active_order(order)
    room = Room.objects.select_for_update().select_related("site").get(pk=room.pk)
    if Stay.objects.filter(order=order, to_at__isnull=True).exists():
        raise ValidationError({"order": "隔离令：已分配房间，如需调整请办理转移"})
    stay = _open_stay(order, room, at or timezone.now())
    stay.log_action(AuditAction.CREATE, user=actor, summary=f"分配隔离房间 {room} 床{stay.bed}")
    return stay


@transaction.atomic
def transfer_stay(
    *, order: QuarantineOrder, room: Room, reason: str, actor=None, at: datetime | None = None
) -> Stay:
    """Move ``order``'s person from their room to ``room`` (another site's, too): the old
    stay ends (its room to cleaning when empty) and the new one opens, in one transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "转移原因：必填"})
    order = _active_order(order)
    current = Stay.objects.select_for_update().filter(order=order, to_at__isnull=True).first()
    if current is None:
        raise ValidationError({"order": "隔离令：尚未分配房间，请先分配"})
    if current.room_id == room.pk:
        raise ValidationError({"room": "房间：与当前房间相同"})
    # Lock both rooms in id order, so that two crossing transfers cannot deadlock.
    rooms = {
        r.pk: r
        for r in Room.objects.select_for_update()
        .select_related("site")
        .filter(pk__in=[current.room_id, room.pk])
        .order_by("pk")
    }
    at = at or timezone.now()
    target = rooms[room.pk]
    _free_bed(target, order)  # refuse before ending the current stay
    close_stay(current, at=at, reason="transferred")
    stay = _open_stay(order, target, at)
    stay.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"转移隔离房间 {rooms[current.room_id]} → {target}",
        reason=reason,
    )
    return stay


@transaction.atomic
def mark_room_cleaned(*, room: Room, actor=None) -> Room:
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.state != RoomState.CLEANING:
        raise ValidationError({"room": f"房间：{room}不在待消毒状态"})
    room.state = RoomState.FREE
    room.save(update_fields=["state"])
    room.log_action(AuditAction.UPDATE, user=actor, summary=f"隔离房间消毒完成 {room}")
    return room
