"""Donations (H3): recorded as they arrive, accepted like a delivery."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction

from ..choices import DonationStatus, LocationKind, MoveKind
from ..ledger import Move, post_moves
from ..models import Donation, DonationLine, Location
from .common import (
    CENT,
    Line,
    base_lines,
    decimal_of,
    next_number,
    outside_location,
    require_store,
    row_label,
)


@transaction.atomic
def record_donation(
    *,
    actor=None,
    donor_kind: str,
    donor_name: str,
    anonymous: bool = False,
    location: Location,
    lines: Sequence[Line],
    received_on: date,
    note: str = "",
    number: str = "",
) -> Donation:
    """A donation as it arrives (pending acceptance); ``price`` of a line is its declared
    value in total (元), not per unit."""
    require_store(location, "入库库点")
    donor_name = donor_name.strip()[:100]
    if not donor_name and not anonymous:
        raise ValidationError({"donor_name": ["捐赠方：必填（不愿具名请勾选匿名捐赠）"]})
    donor_label = donor_name if donor_name else "匿名捐赠者"
    base = base_lines(lines, price_label="申报价值")
    donation = Donation.objects.create(
        number=number or next_number(Donation, "JZ"),
        donor_kind=donor_kind,
        donor_name=donor_name,
        anonymous=anonymous,
        donor_location=outside_location(LocationKind.DONOR, donor_label, location.division),
        location=location,
        received_on=received_on,
        note=note.strip()[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    DonationLine.objects.bulk_create(
        DonationLine(
            donation=donation,
            item=line.item,
            quantity=line.quantity,
            # The declared value is a total: undo _base_lines' per-unit conversion.
            declared_value=(
                Decimal(str(orig.price or 0)) if orig.price is not None else Decimal(0)
            ).quantize(CENT),
        )
        for line, orig in zip(base, lines, strict=True)
    )
    donation.log_action(
        AuditAction.CREATE, summary=f"登记捐赠 {donation.number} {donation.public_name}", user=actor
    )
    return donation


@transaction.atomic
def accept_donation(
    *,
    actor=None,
    donation: Donation,
    accepted: dict[int, Decimal] | None = None,
    reasons: dict[int, str] | None = None,
    acceptance_team: str = "",
    accepted_at: datetime | None = None,
) -> Donation:
    """Accept a donation like a delivery; all of a line unless ``accepted`` says less (with
    a reason). The accepted part goes into stock at its share of the declared value."""
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.status != DonationStatus.PENDING:
        raise ValidationError({"status": ["状态：该捐赠已验收"]})
    if not acceptance_team.strip():
        raise ValidationError({"acceptance_team": ["验收人员：必填"]})
    moves = []
    lines = list(donation.lines.select_related("item"))
    for n, line in enumerate(lines, start=1):
        given = (accepted or {}).get(line.pk)
        qty = (
            line.quantity
            if given in (None, "")
            else decimal_of(given, label="验收合格数量", row=n, positive=False)
        )
        if qty > line.quantity:
            raise ValidationError({"lines": [f"第{n}行 验收合格数量：不能超过捐赠数量"]})
        reason = ((reasons or {}).get(line.pk) or "").strip()
        if qty < line.quantity and not reason:
            raise ValidationError({"lines": [f"第{n}行 拒收原因：部分拒收须说明原因"]})
        line.accepted = qty
        line.rejection_reason = reason[:200]
        if qty > 0:
            value = (line.declared_value * qty / line.quantity).quantize(CENT)
            moves.append(
                (
                    line,
                    Move(
                        item=line.item,
                        quantity=qty,
                        from_location=donation.donor_location,
                        to_location=donation.location,
                        kind=MoveKind.DONATION,
                        amount=value,
                        moved_at=accepted_at,
                        document=donation.number,
                        label=row_label(n),
                    ),
                )
            )
    posted = post_moves([m for _l, m in moves], actor=actor)
    for (line, _m), move in zip(moves, posted, strict=True):
        line.move = move
    for line in lines:
        line.save(update_fields=["accepted", "rejection_reason", "move"])
    donation.status = DonationStatus.ACCEPTED
    donation.acceptance_team = acceptance_team.strip()[:200]
    donation.accepted_at = accepted_at or timezone.now()
    donation.save(update_fields=["status", "acceptance_team", "accepted_at"])
    donation.log_action(AuditAction.UPDATE, summary=f"捐赠验收入库 {donation.number}", user=actor)
    return donation
