"""What every write of a check-in shares: the cleaned inputs (``Identity``, ``Declaration``),
the answer (``CheckinResult``), the exceptions, and the health-code seam (the health-code
app's public functions, called directly: both apps are always installed)."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangying.fevers.services import intake_checkin_fever
from shuangying.healthcodes import engine as healthcode_engine
from shuangying.healthcodes.choices import EventKind
from shuangying.healthcodes.engine import CodeResult
from shuangying.healthcodes.fever import is_fever
from shuangying.healthcodes.services import record_health_event
from shuangying.people.choices import DocumentType
from shuangying.people.identity import IdentityError, normalize_document, normalize_phone
from shuangying.people.models import id_number_hash

from ..choices import Symptom, Travel
from ..models import CheckIn

logger = logging.getLogger("shuangying.checkins")

MAX_COMPANIONS = 5
# An offline device (staff, logged in) may upload scans made up to this long ago.
MAX_BACKDATE = timedelta(days=7)
# A phone at a poster scans now: its time may differ from the server's by this much, no more.
PUBLIC_SKEW = timedelta(minutes=5)
MAX_CLOCK_SKEW = timedelta(minutes=5)
COMPANION_NAMESPACE = uuid.UUID("5f0c1e52-62a4-4c3e-9d59-0b6b1c9a7e11")

UNKNOWN_CODE = CodeResult("unknown", "未知", "#9e9e9e", "健康码服务暂不可用", None, None)


@dataclass(frozen=True)
class Identity:
    """A typed identity, checked once (``Identity.parse``): the document number normalised,
    its keyed hash, the phone normalised."""

    name: str
    id_number: str
    document_type: str = DocumentType.RESIDENT_ID
    phone: str = ""
    id_hash: str = ""

    def __post_init__(self):
        # Built directly (the batch, tests) rather than by ``parse``: normalise here, once.
        if not self.id_hash:
            number = normalize_document(self.document_type, self.id_number)
            object.__setattr__(self, "id_number", number)
            object.__setattr__(self, "id_hash", id_number_hash(number))
            if self.phone:
                object.__setattr__(self, "phone", normalize_phone(self.phone))

    @classmethod
    def parse(
        cls,
        name,
        id_number,
        document_type=DocumentType.RESIDENT_ID,
        phone=None,
        *,
        prefix: str = "",
    ) -> Identity:
        """ValidationError (Chinese, by field) for an empty name, a bad number or phone;
        ``phone=None``: none asked (a companion)."""
        name = (name or "").strip()
        if not name:
            raise ValidationError({f"{prefix}name": "姓名：不能为空"})
        try:
            number = normalize_document(document_type, id_number or "")
        except IdentityError as exc:
            raise ValidationError({f"{prefix}id_number": f"证件号码：{exc}"}) from None
        normalized_phone = ""
        if phone is not None:
            if not phone:
                raise ValidationError({f"{prefix}phone": "手机号：请填写"})
            try:
                normalized_phone = normalize_phone(phone)
            except IdentityError as exc:
                raise ValidationError({f"{prefix}phone": f"手机号：{exc}"}) from None
        return cls(name[:50], number, document_type, normalized_phone, id_number_hash(number))


@dataclass(frozen=True)
class Declaration:
    temperature: Decimal | None = None
    has_fever: bool = False
    symptoms: tuple[str, ...] = ()
    travel: str = Travel.NONE
    travel_from: str = ""

    @property
    def flagged(self) -> bool:
        """Anything the health-code rules take as an input."""
        return bool(self.has_fever or self.symptoms or self.travel == Travel.RISK_AREA)


class CodeUnusable(Exception):
    """The place code was revoked or expired, or its place stopped, before the check-in could
    be written (checked in the insert itself); nothing was written. Callers find the reason
    with ``resolve_token``."""


class UuidReused(Exception):
    """The client UUID is already stored with a different check-in (place, person or
    declaration): a resend must be the same submission."""


class RegistrationThrottled(Exception):
    """Too many persons created by check-ins from this address or at this place lately."""


@dataclass
class CheckinResult:
    """One check-in's answer. ``ref`` and the health code only for a bound identity (and for
    companions it may speak for); ``code`` is None otherwise, and computed when asked: the
    page never asks."""

    checkin: CheckIn
    person: object
    created: bool
    ref: str = ""
    code_of: Callable[[], CodeResult] | None = None
    companions: list[CheckinResult] = field(default_factory=list)
    otp_sent: bool = False
    pending: bool = False  # a declaration waits for the grid worker

    @property
    def bound(self) -> bool:
        return self.code_of is not None

    @functools.cached_property
    def code(self) -> CodeResult | None:
        return None if self.code_of is None else self.code_of()


def safe_code(person, at=None, facts=None) -> CodeResult:
    """The person's code now (``at``, ``facts``: their events up to ``at`` read with the
    person). A failure of the rules is logged and answered "未知": the check-in itself is
    already recorded and must not be lost."""
    try:
        return healthcode_engine.current_code(person, at=at, facts=facts)
    except Exception:
        logger.exception("health code unavailable for person %s", person.pk)
        return UNKNOWN_CODE


def code_for(person, at=None, facts=None) -> Callable[[], CodeResult]:
    return functools.partial(safe_code, person, at, facts)


def forward_declaration(*, checkin: CheckIn, person, declaration: Declaration, actor=None) -> bool:
    """Record what was declared as health events (healthcodes' service); True when there was
    anything."""
    kinds = []
    if declaration.has_fever:
        # The fever loop opens (or joins) the person's episode and records fever_unresolved
        # when it opens one: in this transaction, and only for a check-in with a fever.
        intake_checkin_fever(
            actor=actor,
            person=person,
            place=checkin.place,
            checkin_id=checkin.pk,
            at=checkin.checked_in_at,
            temperature=declaration.temperature,
            symptoms=declaration.symptoms,
        )
    if declaration.symptoms:
        kinds.append(EventKind.SYMPTOMS_DECLARED)
    if declaration.travel == Travel.RISK_AREA:
        kinds.append(EventKind.RISK_AREA_ARRIVAL)
    for kind in kinds:
        extra = {}
        if kind == EventKind.RISK_AREA_ARRIVAL:
            # Declared as "中高风险地区" without a division code: at least medium.
            extra["risk_level"] = "medium"
        record_health_event(
            person=person,
            kind=kind,
            occurred_at=checkin.checked_in_at,
            source="checkin",
            actor=actor,
            detail={"checkin": checkin.pk, "place": checkin.place_id},
            **extra,
        )
    return bool(kinds) or declaration.has_fever


def retention_days() -> int:
    return int(getattr(settings, "CHECKIN_RETENTION_DAYS", 28))


def companion_uuid(primary: uuid.UUID, index: int) -> uuid.UUID:
    """A companion's check-in UUID, derived from the primary one so that a resent submission
    finds its companions again (and the result page finds them through the unique index)."""
    return uuid.uuid5(COMPANION_NAMESPACE, f"{primary}/{index}")


def parse_uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError({"client_uuid": "客户端编号应为UUID"}) from None


NOTHING_DECLARED = Declaration()
SYMPTOMS = frozenset(Symptom.values)
TRAVELS = frozenset(Travel.values)
TEMPERATURE_MIN, TEMPERATURE_MAX, TENTH = Decimal("34.0"), Decimal("43.0"), Decimal("0.1")


def clean_declaration(
    *, temperature=None, has_fever=False, symptoms=(), travel=Travel.NONE, travel_from=""
) -> Declaration:
    """A declaration from loose input; ValidationError (Chinese, by field) when it is wrong."""
    empty = temperature in (None, "") and not (has_fever or symptoms or travel_from)
    if empty and travel in (None, "", Travel.NONE):
        return NOTHING_DECLARED
    temp = None
    if temperature not in (None, ""):
        try:
            temp = Decimal(str(temperature)).quantize(TENTH)
        except (InvalidOperation, ValueError):
            raise ValidationError({"temperature": "体温应为数字，如36.5"}) from None
        if not TEMPERATURE_MIN <= temp <= TEMPERATURE_MAX:
            raise ValidationError({"temperature": "体温应在34.0–43.0℃之间"})
    symptoms = tuple(dict.fromkeys(s for s in symptoms or () if s))
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown:
        raise ValidationError({"symptoms": f"症状：未知的代码 {'、'.join(unknown)}"})
    travel = travel or Travel.NONE
    if travel not in TRAVELS:
        raise ValidationError({"travel": "14天内行程取值应为 none、other_province、risk_area 之一"})
    fever = bool(has_fever) or is_fever(temp)
    return Declaration(temp, fever, symptoms, travel, (travel_from or "").strip()[:50])


def clean_time(at: datetime | None, *, backdate: timedelta = PUBLIC_SKEW) -> datetime:
    """The check-in's time: now, or ``at`` when it lies within ``backdate`` before now (a
    public scan: a few minutes; an offline device's upload: days) and not in the future."""
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + MAX_CLOCK_SKEW:
        raise ValidationError({"checked_in_at": "登记时间：不能晚于当前时间"})
    if at < now - backdate:
        if backdate >= timedelta(days=1):
            raise ValidationError({"checked_in_at": "登记时间：早于7天前，不再接收"})
        minutes = int(backdate.total_seconds() // 60)
        raise ValidationError({"checked_in_at": f"登记时间：只能是当前时间前后{minutes}分钟内"})
    return at
