"""Which roles may record which health events (issue 17): a table beside the roles
(``accounts/roles.py``), read by the services, the API and the pages alike.

Anything that turns a code red or clears it is a medical finding: only the health roles (卫健
staff, ``healthcodes.record_medical_event``) record confirmed and suspected cases, contacts,
quarantine and the clearances. What any officer or grid worker observes (a fever, declared
symptoms, an arrival from a risk area) is ``healthcodes.add_healthevent``. A manual colour is
proposed by a health role (``add_overriderequest``) and takes effect only once another user
with ``approve_override`` approves it (``services.decide_override``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .choices import EventKind

OBSERVED = "healthcodes.add_healthevent"
MEDICAL = "healthcodes.record_medical_event"
OVERRIDE = "healthcodes.add_overriderequest"

EVENT_KIND_PERMISSIONS: dict[str, str] = {
    EventKind.FEVER_UNRESOLVED: OBSERVED,
    EventKind.SYMPTOMS_DECLARED: OBSERVED,
    EventKind.RISK_AREA_ARRIVAL: OBSERVED,
    EventKind.CONFIRMED: MEDICAL,
    EventKind.SUSPECTED: MEDICAL,
    EventKind.CLOSE_CONTACT: MEDICAL,
    EventKind.SECONDARY_CONTACT: MEDICAL,
    EventKind.QUARANTINE_STARTED: MEDICAL,
    EventKind.QUARANTINE_ENDED: MEDICAL,
    EventKind.FEVER_RESOLVED: MEDICAL,
    EventKind.ARRIVAL_CLEARED: MEDICAL,
    EventKind.MANUAL_OVERRIDE: OVERRIDE,
}


def may_record(user, kind: str) -> bool:
    """Whether ``user``'s roles let them record an event of ``kind``."""
    return bool(user is not None and user.has_perm(EVENT_KIND_PERMISSIONS[kind]))


def require_may_record(user, kind: str) -> None:
    """PermissionDenied (a Chinese message naming the kind) unless ``user`` may record it."""
    if not may_record(user, kind):
        label = EventKind(kind).label
        raise PermissionDenied(f"情形：您的角色无权登记“{label}”，须由卫生健康部门人员登记")
