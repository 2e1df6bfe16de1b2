"""Writes on places and place codes (C1): one function per act, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from .models import Place, PlaceCode


@transaction.atomic
def create_place(*, actor=None, request=None, **fields) -> Place:
    place = Place.objects.create(**fields)
    issue_place_code(actor=actor, request=request, place=place)
    if actor is not None:
        record_event(
            request=request,
            user=actor,
            action=AuditAction.CREATE,
            object_type="place",
            object_id=place.pk,
            summary=f"新增场所 {place.name}",
        )
    return place


@transaction.atomic
def issue_place_code(*, actor=None, request=None, place: Place, valid_until=None) -> PlaceCode:
    """Revoke the place's active code (if any) and issue a new one."""
    PlaceCode.objects.select_for_update().filter(place=place, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    code = PlaceCode.objects.create(place=place, issued_by=actor, valid_until=valid_until)
    if actor is not None:
        record_event(
            request=request,
            user=actor,
            action=AuditAction.UPDATE,
            object_type="place",
            object_id=place.pk,
            summary=f"签发场所码 {place.name}",
        )
    return code


@transaction.atomic
def revoke_place_code(*, actor=None, request=None, place: Place) -> int:
    revoked = PlaceCode.objects.filter(place=place, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if actor is not None:
        record_event(
            request=request,
            user=actor,
            action=AuditAction.UPDATE,
            object_type="place",
            object_id=place.pk,
            summary=f"作废场所码 {place.name}",
        )
    return revoked
