"""Writes of implementation monitoring, and the entry other modules import them from: the project's report
schedule (made when funding announces the contract's confirmation, ``core.signals.contract_confirmed``,
received here), filing and reviewing reports, evaluations, reminders and closure (结项).

The writes live in modules named for their part of the domain, all re-exported here:

- ``workflow``: the refusal (``MonitoringRefused``, ``StaleReport``), the report's steps as data
  (``REPORT``) and what every write shares (the project's lock, notices to its organization);
- ``filing``: the organization saves and submits its report, with its spending and photos;
- ``reports``: the officer's side of reports: the schedule, the review (审核通过 / 退回修改), overdue reminders;
- ``evaluations``: 中期评估 and 结项验收, reported to funding (``funding.payments.operations.record_milestone``);
- ``closure``: 结项, through ``funding.contracts.operations.close_contract``.

Monitoring tells funding, so that funding derives its tranches from its own rows. Each write takes the
objects and the acting user, flushes under a named audit action and never commits; a refusal raises
``MonitoringRefused`` with a Chinese message (and the form field it belongs to).
"""
from grantportal.core import signals
from grantportal.core.db import utcnow
from grantportal.monitoring.closure import close_project, closure_problem
from grantportal.monitoring.evaluations import (
    MAX_SCORE,
    acceptance_rounds,
    evaluation_problem,
    evaluations_of,
    latest_evaluation,
    record_evaluation,
    recorded_evaluations,
    round_score,
)
from grantportal.monitoring.filing import (
    CAPTION_MAX,
    MAX_PHOTOS,
    PHOTO_EXTENSIONS,
    ReportData,
    add_photos,
    budget_lines,
    remove_photos,
    save_report,
)
from grantportal.monitoring.rectification import end_on_termination
from grantportal.monitoring.reports import accept_report, remind_overdue, return_report, schedule_reports
from grantportal.monitoring.workflow import REPORT, MonitoringRefused, StaleReport, org_of, reports_of

__all__ = [
    "CAPTION_MAX", "MAX_PHOTOS", "MAX_SCORE", "PHOTO_EXTENSIONS", "REPORT", "MonitoringRefused", "ReportData",
    "StaleReport", "accept_report", "acceptance_rounds", "add_photos", "budget_lines", "close_project",
    "closure_problem", "evaluation_problem", "evaluations_of", "latest_evaluation", "org_of", "record_evaluation",
    "recorded_evaluations",
    "remind_overdue", "remove_photos", "reports_of", "return_report", "round_score", "save_report",
    "schedule_on_confirmation", "schedule_reports",
]


@signals.contract_terminated.connect
def end_rectification_on_termination(contract, user, **_):
    """终止 ends the project: funding has terminated the contract and announced it; its open 整改 closes with
    the reason 合同终止, in the same transaction (``rectification.end_on_termination``)."""
    end_on_termination(contract, user, utcnow())


@signals.contract_confirmed.connect
def schedule_on_confirmation(contract, user, **_):
    """签署确认 starts the project: funding has confirmed the signed scan (待确认 → 履行中, the tranches due on
    signing became 可拨付) and announced it; the progress, mid-term and final reports now fall due, in the
    same transaction. A refusal (no contract term) vetoes the confirmation."""
    schedule_reports(contract, user)
