"""When reports fall due, and which are overdue.

A contract's reports come from its term and the call's ``report_every_months``:

- a 进度报告 for each period of that many months, counted from ``starts_on``;
- a 中期报告 for the first half of the term, in place of the progress report whose period ends there;
- a 结项报告 for the whole term, in place of the last period's progress report.

A progress or mid-term report is due ``PERIOD_REPORT_GRACE_DAYS`` after its period ends, the final report
``FINAL_REPORT_GRACE_DAYS`` after the term ends. A report is overdue when its due date (a local date in
Asia/Shanghai) has passed and it has not been submitted: 待提交 or 草稿. A report that was submitted
and returned for revision (退回修改) was delivered on time and is not counted as overdue.
"""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.core.timeutil import to_local
from grantportal.funding.contracts.operations import add_months
from grantportal.funding.models import Contract, ContractStatus
from grantportal.monitoring.models import Report, ReportKind, ReportStatus

PERIOD_REPORT_GRACE_DAYS = 15
FINAL_REPORT_GRACE_DAYS = 30
NOT_DELIVERED = (ReportStatus.DUE, ReportStatus.DRAFT)  # counts as overdue once past its due date
OPEN = (ReportStatus.DUE, ReportStatus.DRAFT, ReportStatus.RETURNED)  # the organization still owes it


@dataclass(frozen=True)
class PlannedReport:
    kind: ReportKind
    period_start: date
    period_end: date
    due_on: date


def _day_before(day):
    return day - timedelta(days=1)


def term_months(starts_on, ends_on):
    """Whole months the term spans (at least 1): the first ``k`` with start + k months − 1 day ≥ end."""
    k = 1
    while _day_before(add_months(starts_on, k)) < ends_on:
        k += 1
    return k


def midterm_end(starts_on, ends_on):
    """The last day of the first half: half the term's months (rounded down), or half its days when the
    term is a single month."""
    half = term_months(starts_on, ends_on) // 2
    if half >= 1:
        end = _day_before(add_months(starts_on, half))
        if end < ends_on:
            return end
    return starts_on + timedelta(days=(ends_on - starts_on).days // 2)


def plan_reports(starts_on, ends_on, every_months):
    """The reports a term calls for, in order of due date."""
    every = max(1, int(every_months or 1))
    mid = midterm_end(starts_on, ends_on)
    grace = timedelta(days=PERIOD_REPORT_GRACE_DAYS)
    out, k, start = [], 1, starts_on
    while True:
        end = _day_before(add_months(starts_on, k * every))
        if end >= ends_on:
            break
        if end > mid and start <= mid:  # the mid-term report sits inside this period: it comes first
            out.append(PlannedReport(ReportKind.MIDTERM, starts_on, mid, mid + grace))
        if end == mid:
            out.append(PlannedReport(ReportKind.MIDTERM, starts_on, mid, mid + grace))
        else:
            out.append(PlannedReport(ReportKind.PROGRESS, start, end, end + grace))
        start, k = end + timedelta(days=1), k + 1
    if not any(p.kind == ReportKind.MIDTERM for p in out):
        out.append(PlannedReport(ReportKind.MIDTERM, starts_on, mid, mid + grace))
    out.append(PlannedReport(ReportKind.FINAL, starts_on, ends_on,
                             ends_on + timedelta(days=FINAL_REPORT_GRACE_DAYS)))
    return sorted(out, key=lambda p: (p.due_on, p.period_end, list(ReportKind).index(p.kind)))


def local_date(now):
    return to_local(now).date()


def days_overdue(report, today):
    """Days past the due date of a report not yet delivered (0: not overdue)."""
    if report.status in NOT_DELIVERED and report.due_on < today:
        return (today - report.due_on).days
    return 0


def overdue_clause(today):
    """SQL condition: the report is overdue on ``today`` (for counts and filters)."""
    return sa.and_(Report.status.in_(NOT_DELIVERED), Report.due_on < today)


def overdue_reports(now, limit=None):
    """Overdue reports of projects in progress (履行中) on ``now``'s local date, oldest due date first."""
    query = (sa.select(Report).join(Contract, Contract.id == Report.contract_id)
             .where(Contract.status == ContractStatus.ACTIVE, overdue_clause(local_date(now)))
             .order_by(Report.due_on, Report.contract_id, Report.id))
    if limit is not None:
        query = query.limit(limit)
    return db.session.scalars(query).all()
