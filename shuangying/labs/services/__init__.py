"""Writes on labs and samples (E3): booking, sampling, results. One function per act,
keyword-only, atomic, audited; services take ``actor``, never a request."""

from .booking import Slot, book_slots, queue_days
from .labs import create_lab, create_sampling_point
from .results import Outcome, ResultItem, record_results
from .sampling import PoolSpec, RoundResult, clean_barcode, record_pooled_round, take_sample

__all__ = [
    "Outcome",
    "PoolSpec",
    "ResultItem",
    "RoundResult",
    "Slot",
    "book_slots",
    "clean_barcode",
    "create_lab",
    "create_sampling_point",
    "queue_days",
    "record_pooled_round",
    "record_results",
    "take_sample",
]
