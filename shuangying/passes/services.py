"""Writes of closed management (C4, C6): rules, passes, gate checks. One function per act,
atomic; issuing and revoking are audited, every check is its own record (PassCheck)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shuangying.audit.models import AuditAction
from shuangying.checkpoints.validators import normalize_plate

from .choices import ApplicationStatus, Direction, Outcome, PassType, RefusalReason
from .models import ClosedManagementRule, Pass, PassApplication, PassCheck
from .tokens import pass_for_token


@transaction.atomic
def save_rule(*, actor, division, **fields) -> ClosedManagementRule:
    """Make ``fields`` the division's rule: the active one is retired, a new one starts."""
    if (
        fields.get("opens_at")
        and fields.get("closes_at")
        and fields["opens_at"] >= fields["closes_at"]
    ):
        raise ValidationError({"closes_at": "关闭时间应晚于开放时间"})
    ClosedManagementRule.objects.select_for_update().filter(
        division=division, is_active=True
    ).update(is_active=False)
    rule = ClosedManagementRule.objects.create(division=division, created_by=actor, **fields)
    rule.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"设置封闭管理规则 {division.name}",
        detail={
            "opens_at": f"{rule.opens_at:%H:%M}",
            "closes_at": f"{rule.closes_at:%H:%M}",
            "exit_interval_days": rule.exit_interval_days,
            "admit_outsiders": rule.admit_outsiders,
        },
    )
    return rule


@transaction.atomic
def lift_rule(*, actor, rule: ClosedManagementRule) -> ClosedManagementRule:
    """End closed management in the rule's division (the rule stays for the record)."""
    if rule.is_active:
        rule.is_active = False
        rule.save(update_fields=["is_active"])
        rule.log_action(
            AuditAction.UPDATE,
            user=actor,
            summary=f"解除封闭管理 {rule.division.name}",
        )
    return rule


def rule_for(division) -> ClosedManagementRule | None:
    """The closest active rule at or above ``division`` (a compound's, else its village's)."""
    paths = [*division.ancestor_paths(), division.path]
    return (
        ClosedManagementRule.objects.filter(is_active=True, division__path__in=paths)
        .select_related("division")
        .order_by("-division__level")
        .first()
    )


@transaction.atomic
def issue_pass(
    *,
    actor,
    type: str,
    division,
    valid_from: datetime,
    valid_until: datetime,
    holder_name: str = "",
    household=None,
    person=None,
    plate: str = "",
    route: str = "",
    issuing_department=None,
    purpose: str = "",
) -> Pass:
    if valid_until <= valid_from:
        raise ValidationError({"valid_until": "有效期至：应晚于生效时间"})
    if type == PassType.TRANSPORT:
        plate = normalize_plate(plate)
        if not route.strip():
            raise ValidationError({"route": "通行路线：运输通行证须填写路线"})
    else:
        plate = ""
        if type == PassType.HOUSEHOLD and household is None:
            raise ValidationError({"household": "户：户出入证须选择户"})
        if type in (PassType.PERSON, PassType.EXIT_CERTIFICATE) and person is None:
            raise ValidationError({"person": "人员：须选择持证人"})
    if person is not None and household is None:
        household = person.household
    if not holder_name:
        holder_name = person.name if person else (household.address if household else "")
    if not holder_name:
        raise ValidationError({"holder_name": "持证人/单位：必填"})
    pass_obj = Pass.objects.create(
        type=type,
        division=division,
        household=household,
        person=person,
        holder_name=holder_name,
        plate=plate,
        route=route,
        issuing_department=issuing_department,
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_by=actor,
    )
    pass_obj.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"签发{pass_obj.get_type_display()} {holder_name}",
    )
    return pass_obj


@transaction.atomic
def revoke_pass(*, actor, pass_obj: Pass, reason: str = "") -> Pass:
    if pass_obj.revoked_at is None:
        pass_obj.revoked_at = timezone.now()
        pass_obj.revoke_reason = reason[:200]
        pass_obj.save(update_fields=["revoked_at", "revoke_reason"])
        pass_obj.log_action(
            AuditAction.UPDATE,
            user=actor,
            summary=f"作废{pass_obj.get_type_display()} {pass_obj.holder_name}",
            reason=reason,
        )
    return pass_obj


def _refusal(pass_obj: Pass | None, place, at: datetime, direction: str, plate: str) -> str:
    """The reason to turn back, or "" to let through. Order: the pass itself first (forged,
    revoked, validity), then the gate's rule (outsider, hours, household quota)."""
    if pass_obj is None:
        return RefusalReason.FORGED
    if pass_obj.revoked_at is not None and pass_obj.revoked_at <= at:
        return RefusalReason.REVOKED
    if at >= pass_obj.valid_until:
        return RefusalReason.EXPIRED
    if at < pass_obj.valid_from:
        return RefusalReason.NOT_YET_VALID
    if pass_obj.type == PassType.TRANSPORT:
        # Transport passes are checked on the roads: the plate must be the one on the pass.
        if plate:
            try:
                seen = normalize_plate(plate)
            except ValidationError:
                seen = plate
            if seen != pass_obj.plate:
                return RefusalReason.PLATE_MISMATCH
        return ""
    rule = rule_for(place.division)
    if rule is None:
        return ""
    if not pass_obj.division.path.startswith(rule.division.path) and not rule.admit_outsiders:
        return RefusalReason.OUTSIDER
    local = timezone.localtime(at).time()
    if not rule.opens_at <= local < rule.closes_at:
        return RefusalReason.OUTSIDE_HOURS
    if (
        rule.exit_interval_days
        and direction == Direction.OUT
        and pass_obj.type != PassType.EXIT_CERTIFICATE
        and pass_obj.household_id
    ):
        # One member per household out every N days, counted in calendar days: out on day 1
        # with N=2 means day 2 is refused and day 3 is allowed.
        today = timezone.localtime(at).date()
        since = timezone.make_aware(
            datetime.combine(
                today - timedelta(days=rule.exit_interval_days - 1), datetime.min.time()
            )
        )
        used = PassCheck.objects.filter(
            household_id=pass_obj.household_id,
            direction=Direction.OUT,
            outcome=Outcome.ALLOWED,
            at__gte=since,
            at__lte=at,
        ).exists()
        if used:
            return RefusalReason.QUOTA_USED
    return ""


@transaction.atomic
def record_turn_back(
    *,
    place,
    checked_by=None,
    at: datetime | None = None,
    direction: str = Direction.IN,
    reason: str = RefusalReason.OUTSIDER,
) -> PassCheck:
    """A person without any pass turned back at the gate (劝返): recorded like a check."""
    return PassCheck.objects.create(
        pass_obj=None,
        place=place,
        at=at or timezone.now(),
        direction=direction,
        outcome=Outcome.REFUSED,
        reason=reason,
        checked_by=checked_by,
    )


@transaction.atomic
def check_pass(
    *,
    token: str,
    place,
    checked_by=None,
    at: datetime | None = None,
    direction: str = Direction.OUT,
    plate: str = "",
) -> PassCheck:
    """Check a scanned or typed pass at ``place`` and record the outcome (a refusal is a
    劝返 record). ``at`` is the time of the check (now unless given, e.g. in tests)."""
    at = at or timezone.now()
    pass_obj = pass_for_token(token)
    if pass_obj is not None and pass_obj.household_id:
        # Two members of one household at two gates at once: one of them gets the quota.
        from shuangying.people.models import Household

        Household.objects.select_for_update().filter(pk=pass_obj.household_id).first()
    reason = _refusal(pass_obj, place, at, direction, plate)
    return PassCheck.objects.create(
        pass_obj=pass_obj,
        place=place,
        at=at,
        direction=direction,
        outcome=Outcome.REFUSED if reason else Outcome.ALLOWED,
        reason=reason,
        household_id=pass_obj.household_id if pass_obj else None,
        checked_by=checked_by,
    )


# --- applications (an enterprise asks, an officer issues) -------------------------------------


@transaction.atomic
def apply_for_pass(
    *,
    actor,
    division,
    holder_name: str,
    plate: str,
    route: str,
    valid_from: datetime,
    valid_until: datetime,
    purpose: str = "",
) -> PassApplication:
    """A transport pass asked for; no gate opens to it until an officer issues the pass."""
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise ValidationError({"holder_name": "单位：必填"})
    if not (route or "").strip():
        raise ValidationError({"route": "通行路线：运输通行证须填写路线"})
    if valid_until <= valid_from:
        raise ValidationError({"valid_until": "有效期至：应晚于生效时间"})
    application = PassApplication.objects.create(
        division=division,
        holder_name=holder_name[:100],
        plate=normalize_plate(plate),
        route=route.strip()[:200],
        purpose=(purpose or "").strip()[:200],
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    application.log_action(
        AuditAction.CREATE,
        user=actor,
        summary=f"申请运输通行证 {application.holder_name} {application.plate}",
    )
    return application


@transaction.atomic
def decide_pass_application(
    *, actor, application: PassApplication, issue: bool, reason: str = ""
) -> PassApplication:
    """Issue the pass the application asks for, or decline it with a reason."""
    application = PassApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError("该申请已处理")
    if issue:
        application.pass_obj = issue_pass(
            actor=actor,
            type=PassType.TRANSPORT,
            division=application.division,
            holder_name=application.holder_name,
            plate=application.plate,
            route=application.route,
            purpose=application.purpose,
            valid_from=application.valid_from,
            valid_until=application.valid_until,
        )
        application.status = ApplicationStatus.ISSUED
    else:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": "原因：不予签发须写明原因"})
        application.status = ApplicationStatus.DECLINED
        application.decline_reason = reason[:200]
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save()
    application.log_action(
        AuditAction.UPDATE,
        user=actor,
        summary=f"{application.get_status_display()} 运输通行证申请 {application.holder_name}",
        reason=reason,
    )
    return application
