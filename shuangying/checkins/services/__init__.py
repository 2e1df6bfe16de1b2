"""Writes of check-ins (C2): the general path of one scan (``scan``), its PostgreSQL fast path
(``fastpath``), the rows' inserts (``rows``), the offline upload (``batch``), the grid
worker's decisions on unbound declarations (``pending``) and retention (``retention``)."""

from .batch import TOKEN_MESSAGES, BatchItemResult, record_checkin_batch
from .common import (
    MAX_COMPANIONS,
    CheckinResult,
    CodeUnusable,
    Declaration,
    Identity,
    RegistrationThrottled,
    UuidReused,
    clean_declaration,
    clean_time,
    companion_uuid,
    parse_uuid,
    retention_days,
    safe_code,
)
from .pending import decide_declaration
from .retention import purge_expired_checkins, purge_unverified_persons
from .scan import companions_of, known_person, record_checkin, result_for

__all__ = [
    "MAX_COMPANIONS",
    "TOKEN_MESSAGES",
    "BatchItemResult",
    "CheckinResult",
    "CodeUnusable",
    "Declaration",
    "Identity",
    "RegistrationThrottled",
    "UuidReused",
    "clean_declaration",
    "clean_time",
    "companion_uuid",
    "companions_of",
    "decide_declaration",
    "known_person",
    "parse_uuid",
    "purge_expired_checkins",
    "purge_unverified_persons",
    "record_checkin",
    "record_checkin_batch",
    "result_for",
    "retention_days",
    "safe_code",
]
