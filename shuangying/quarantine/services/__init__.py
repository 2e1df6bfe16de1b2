"""Writes on quarantine: one function per act, keyword-only, atomic, audited (STYLE:
verb_noun). Services take ``actor``, never a request. Health status changes only through
``shuangying.healthcodes.services``: ``quarantine_started`` when an order opens,
``quarantine_ended`` when it is released."""

from .orders import OpenResult, change_order, find_grid_worker, open_order, release_order
from .reports import SLOTS, ReportResult, current_slot, cutoff, missing_reports, submit_report
from .rooms import allocate_room, create_room, create_site, mark_room_cleaned, transfer_stay

__all__ = [
    "SLOTS",
    "ReportResult",
    "current_slot",
    "cutoff",
    "missing_reports",
    "submit_report",
    "OpenResult",
    "allocate_room",
    "change_order",
    "create_room",
    "create_site",
    "find_grid_worker",
    "mark_room_cleaned",
    "open_order",
    "release_order",
    "transfer_stay",
]
