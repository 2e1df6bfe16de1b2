from .episodes import EpisodeDetailView, EpisodeExportView, EpisodeListView
from .reports import (
    ClinicRegisterView,
    PharmacyPublicView,
    PharmacyRegisterView,
    ReportCreateView,
    ReportListView,
    ReportResolveView,
    TipoffView,
)

__all__ = [
    "ClinicRegisterView",
    "EpisodeDetailView",
    "EpisodeExportView",
    "EpisodeListView",
    "PharmacyPublicView",
    "PharmacyRegisterView",
    "ReportCreateView",
    "ReportListView",
    "ReportResolveView",
    "TipoffView",
]
