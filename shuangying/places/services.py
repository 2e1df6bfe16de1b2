"""Writes on places and place codes (C1): one function per act, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.audit.services import record_event

from .models import Place, PlaceCode, PosterBatch


@transaction.atomic
def create_place(*, actor=None, **fields) -> Place:
    place = Place.objects.create(**fields)
    issue_place_code(actor=actor, place=place)
    if actor is not None:
        place.log_action(
            AuditAction.CREATE,
            user=actor,
            summary=f"新增场所 {place.name}",
        )
    return place


@transaction.atomic
def issue_place_code(*, actor=None, place: Place, valid_until=None) -> PlaceCode:
    """Revoke the place's active code (if any) and issue a new one."""
    PlaceCode.objects.select_for_update().filter(place=place, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    code = PlaceCode.objects.create(place=place, issued_by=actor, valid_until=valid_until)
    if actor is not None:
        place.log_action(
            AuditAction.UPDATE,
            user=actor,
            summary=f"签发场所码 {place.name}",
        )
    return code


@transaction.atomic
def revoke_place_code(*, actor=None, place: Place) -> int:
    revoked = PlaceCode.objects.filter(place=place, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if actor is not None:
        place.log_action(
            AuditAction.UPDATE,
            user=actor,
            summary=f"作废场所码 {place.name}",
        )
    return revoked


PLACE_FIELDS = ("name", "type", "division", "address", "responsible_unit", "contact_name")


@transaction.atomic
def update_place(*, actor, place: Place, **changes) -> Place:
    changed = []
    for field, value in changes.items():
        if getattr(place, field) != value:
            setattr(place, field, value)
            changed.append(field)
    if changed:
        place.save()
        place.log_action(
            AuditAction.UPDATE,
            user=actor,
            summary=f"修改场所 {place.name}",
            detail={"fields": changed},
        )
    return place


def active_codes_under(division):
    """The active codes of active places under ``division``, in poster order."""
    return (
        PlaceCode.objects.filter(
            revoked_at__isnull=True,
            place__is_active=True,
            place__division__path__startswith=division.path,
        )
        .select_related("place", "place__division")
        .order_by("place__division__path", "place__name", "place__pk")
    )


def poster_pdf(codes, *, base_url: str = "") -> bytes:
    """The A4 posters of ``codes``; their QR points under ``base_url`` (``public_base_url``)."""
    from .posters import page_for, render_posters
    from .tokens import checkin_url

    return render_posters(page_for(code, checkin_url(code, base_url)) for code in codes)


def request_poster_batch(*, actor, division, base_url: str = "") -> PosterBatch:
    """Queue the PDF of every place under ``division`` (the worker renders it); ``base_url``
    is kept with the batch, since the worker has no request to take it from."""
    from .tasks import build_poster_batch

    batch = PosterBatch.objects.create(division=division, requested_by=actor, base_url=base_url)
    record_event(
        user=actor,
        action=AuditAction.EXPORT,
        object_type="place",
        summary=f"批量打印场所码 {division.name}",
        detail={"batch": batch.pk},
    )
    # The database queue's row commits with the batch; the immediate backend runs it now.
    build_poster_batch.enqueue(batch.pk)
    return batch


def render_poster_batch(batch_id: int) -> None:
    batch = PosterBatch.objects.select_related("division").get(pk=batch_id)
    codes = list(active_codes_under(batch.division))
    try:
        pdf = poster_pdf(codes, base_url=batch.base_url)
    except Exception as exc:
        PosterBatch.objects.filter(pk=batch.pk).update(
            status=PosterBatch.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    PosterBatch.objects.filter(pk=batch.pk).update(
        status=PosterBatch.Status.DONE,
        pdf=pdf,
        place_count=len(codes),
        finished_at=timezone.now(),
    )
