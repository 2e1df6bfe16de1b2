"""Writes on fever episodes and reports (E1, E2): one function per act, atomic, audited.

The state machine is ``episodes``; reports come in through ``intake``. Other apps call
``report_fever``, ``intake_checkpoint_fevers``, ``intake_checkin_fever``, ``record_sampled``,
``record_result`` and ``close_episode``."""

from .episodes import (
    STEP_PERMISSION,
    Intake,
    TransitionRefused,
    advance_episode,
    close_episode,
    may_take,
    next_step,
    persons_waiting_for,
    record_result,
    record_sampled,
    take_reports,
)
from .intake import (
    channel_of_place,
    intake_checkin_fever,
    intake_checkpoint_fevers,
    report_fever,
    resolve_report,
)

__all__ = [
    "Intake",
    "TransitionRefused",
    "advance_episode",
    "channel_of_place",
    "close_episode",
    "intake_checkin_fever",
    "intake_checkpoint_fevers",
    "may_take",
    "STEP_PERMISSION",
    "next_step",
    "persons_waiting_for",
    "record_result",
    "record_sampled",
    "report_fever",
    "resolve_report",
    "take_reports",
]
