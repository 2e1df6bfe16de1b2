"""Writes of emergency supplies (H1–H8), one module per workflow: one function per act,
keyword-only, atomic, audited through the models' ``log_action``. Stock changes only through
``ledger.post_moves`` / ``ledger.reverse_moves``. Services take the ``actor`` and the data,
never the request (who acted from where comes from the audit context).

Bad input raises ValidationError with a Chinese message that names the field (and the row,
"第2行"); since each function is one transaction, nothing is half-written.
"""

from .catalogue import create_category, create_location, create_recipient, save_item
from .common import CENT, MAX_QUANTITY, Line, decimal_of, outside_location, to_base
from .dispatch import (
    cancel_dispatch_order,
    cancel_issue,
    create_dispatch_order,
    issue_batch,
    sign_issue,
)
from .donations import accept_donation, record_donation
from .processing import average_cost, record_processing
from .procurement import (
    Acceptance,
    accept_delivery,
    create_purchase_request,
    place_order,
    review_purchase_request,
    submit_purchase_request,
)
from .requests import create_enterprise_request, meet_request_by_purchase, meet_request_from_stock
from .stock import record_opening_balance, transfer_stock

__all__ = [
    "CENT",
    "MAX_QUANTITY",
    "Acceptance",
    "Line",
    "accept_delivery",
    "accept_donation",
    "average_cost",
    "cancel_dispatch_order",
    "cancel_issue",
    "create_category",
    "create_dispatch_order",
    "create_enterprise_request",
    "create_location",
    "create_purchase_request",
    "create_recipient",
    "decimal_of",
    "issue_batch",
    "meet_request_by_purchase",
    "meet_request_from_stock",
    "outside_location",
    "place_order",
    "record_donation",
    "record_opening_balance",
    "record_processing",
    "review_purchase_request",
    "save_item",
    "sign_issue",
    "submit_purchase_request",
    "to_base",
    "transfer_stock",
]
