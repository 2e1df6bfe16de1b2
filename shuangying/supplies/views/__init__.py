"""Pages of emergency supplies (H1–H8), one module per workflow: stock and the ledger, the
catalogue, procurement with the joint pre-review and acceptance, donations (thank-you letter,
public list), dispatch orders issued in batches and signed for (handover note), enterprise
requests, and the reports, each exported to Excel. Jurisdiction through ``restrict``,
``get_restricted_or_404`` and ``access.can``; every write is one service call."""

from .catalogue import (
    ItemCreateView,
    ItemListView,
    ItemUpdateView,
    LocationCreateView,
    RecipientCreateView,
)
from .dispatch import (
    DispatchCancelView,
    DispatchCreateView,
    DispatchDetailView,
    DispatchListView,
    IssueCancelView,
    IssueCreateView,
    IssueDetailView,
    IssueNoteView,
    IssueSignView,
)
from .donations import (
    DonationAcceptView,
    DonationCreateView,
    DonationDetailView,
    DonationLetterView,
    DonationListView,
    DonationPublicExportView,
)
from .procurement import (
    PurchaseAcceptView,
    PurchaseCreateView,
    PurchaseDetailView,
    PurchaseListView,
    PurchaseOrderView,
    PurchaseReviewView,
    PurchaseSubmitView,
)
from .reports import ItemReportView, RecipientReportView, ReserveReportView
from .requests import RequestCreateView, RequestListView, RequestMeetView
from .stock import (
    MoveExportView,
    MoveListView,
    ProcessingCreateView,
    ProcessingListView,
    StockExportView,
    StockListView,
    TransferCreateView,
)

__all__ = [
    "DispatchCancelView",
    "DispatchCreateView",
    "DispatchDetailView",
    "DispatchListView",
    "DonationAcceptView",
    "DonationCreateView",
    "DonationDetailView",
    "DonationLetterView",
    "DonationListView",
    "DonationPublicExportView",
    "IssueCancelView",
    "IssueCreateView",
    "IssueDetailView",
    "IssueNoteView",
    "IssueSignView",
    "ItemCreateView",
    "ItemListView",
    "ItemReportView",
    "ItemUpdateView",
    "LocationCreateView",
    "MoveExportView",
    "MoveListView",
    "ProcessingCreateView",
    "ProcessingListView",
    "PurchaseAcceptView",
    "PurchaseCreateView",
    "PurchaseDetailView",
    "PurchaseListView",
    "PurchaseOrderView",
    "PurchaseReviewView",
    "PurchaseSubmitView",
    "RecipientCreateView",
    "RecipientReportView",
    "RequestCreateView",
    "RequestListView",
    "RequestMeetView",
    "ReserveReportView",
    "StockExportView",
    "StockListView",
    "TransferCreateView",
]
