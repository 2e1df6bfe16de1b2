"""Emergency supplies (H1–H8): catalogue, locations, the append-only stock ledger and its
balances, procurement with joint pre-review and joint acceptance, donations, processing,
dispatch orders issued in batches and signed for, and enterprise requests — one module per
workflow, every model named here.

The ledger (H6): a StockMove takes a quantity of one item from one location to another and is
never changed or deleted; cancelling adds a reversing move (``reverses``). StockBalance holds
the quantity of each item in each store, changed only by ``ledger.post_moves`` in the same
transaction as the moves, under row locks taken in (location_id, item_id) order, and a CHECK
constraint keeps it from ever going below zero. Quantities are in the item's base unit.
"""

from .base import MONEY, QUANTITY, ZERO
from .catalogue import Budget, Category, Item, UnitConversion
from .dispatch import DispatchLine, DispatchOrder, EnterpriseRequest, Issue, IssueLine, Recipient
from .donations import Donation, DonationLine
from .processing import ProcessingRun
from .procurement import PurchaseLine, PurchaseRequest, PurchaseReview
from .stock import AcceptedLine, Location, StockBalance, StockDay, StockMove

__all__ = [
    "MONEY",
    "QUANTITY",
    "ZERO",
    "AcceptedLine",
    "Budget",
    "Category",
    "DispatchLine",
    "DispatchOrder",
    "Donation",
    "DonationLine",
    "EnterpriseRequest",
    "Issue",
    "IssueLine",
    "Item",
    "Location",
    "ProcessingRun",
    "PurchaseLine",
    "PurchaseRequest",
    "PurchaseReview",
    "Recipient",
    "StockBalance",
    "StockDay",
    "StockMove",
    "UnitConversion",
]
