"""The report schedule of a contract and which reports are overdue."""
from datetime import UTC, date, datetime

import pytest

from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.funding.contracts.operations import confirm_signed
from grantportal.funding.models import ContractStatus
from grantportal.monitoring import operations as ops
from grantportal.monitoring.models import ReportKind, ReportStatus
from grantportal.monitoring.schedule import (
    FINAL_REPORT_GRACE_DAYS,
    PERIOD_REPORT_GRACE_DAYS,
    days_overdue,
    overdue_reports,
    plan_reports,
)


def _rows(reports):
    return [(r.kind, r.period_start, r.period_end, r.due_on) for r in reports]


def test_a_year_with_quarterly_reports_has_two_progress_a_midterm_and_a_final_report(scheduled):
    assert PERIOD_REPORT_GRACE_DAYS == 15 and FINAL_REPORT_GRACE_DAYS == 30
    assert _rows(scheduled.reports) == [
        (ReportKind.PROGRESS, date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 15)),
        (ReportKind.MIDTERM, date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 15)),
        (ReportKind.PROGRESS, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 15)),
        (ReportKind.FINAL, date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 30)),
    ]
    assert all(r.status == ReportStatus.DUE for r in scheduled.reports)


def test_scheduling_twice_makes_no_duplicates(scheduled):
    assert ops.schedule_reports(scheduled.contract, scheduled.officer) == []
    db.session.commit()
    assert len(ops.reports_of(scheduled.contract)) == 4


def test_only_an_active_contract_gets_a_schedule(project):
    project.contract.status = ContractStatus.SIGNED
    db.session.commit()
    with pytest.raises(ops.MonitoringRefused, match="履行中的项目才能生成报告计划"):
        ops.schedule_reports(project.contract, project.officer)


def test_confirming_the_contract_schedules_its_reports_in_the_same_transaction(project):
    """Funding announces the confirmation (core.signals.contract_confirmed); monitoring's receiver schedules
    the reports before the view commits."""
    project.contract.status = ContractStatus.SIGNED
    db.session.commit()
    confirm_signed(project.contract, project.officer)
    db.session.commit()
    assert project.contract.status == ContractStatus.ACTIVE
    assert [r.kind for r in ops.reports_of(project.contract)] == [
        ReportKind.PROGRESS, ReportKind.MIDTERM, ReportKind.PROGRESS, ReportKind.FINAL]


def test_a_refused_schedule_vetoes_the_confirmation(project):
    contract = project.contract
    contract.status, contract.ends_on, contract.confirmed_at, contract.confirmed_by_id = (
        ContractStatus.SIGNED, None, None, None)
    db.session.commit()
    with pytest.raises(Refused, match="合同未填写履行期限"):
        confirm_signed(project.contract, project.officer)
    db.session.rollback()
    assert project.contract.status == ContractStatus.SIGNED and project.contract.confirmed_at is None
    assert ops.reports_of(project.contract) == []


def test_monthly_reports_over_a_short_term_from_mid_month():
    plan = plan_reports(date(2026, 1, 31), date(2026, 5, 30), 1)  # 4 months from 31 January
    assert [(p.kind, p.period_start, p.period_end, p.due_on) for p in plan] == [
        (ReportKind.PROGRESS, date(2026, 1, 31), date(2026, 2, 27), date(2026, 3, 14)),
        (ReportKind.MIDTERM, date(2026, 1, 31), date(2026, 3, 30), date(2026, 4, 14)),
        (ReportKind.PROGRESS, date(2026, 3, 31), date(2026, 4, 29), date(2026, 5, 14)),
        (ReportKind.FINAL, date(2026, 1, 31), date(2026, 5, 30), date(2026, 6, 29)),
    ]


def test_a_midterm_inside_a_long_period_is_added_before_it():
    plan = plan_reports(date(2026, 1, 1), date(2026, 12, 31), 4)  # periods end April 30, August 31
    assert [(p.kind, p.period_end) for p in plan] == [
        (ReportKind.PROGRESS, date(2026, 4, 30)), (ReportKind.MIDTERM, date(2026, 6, 30)),
        (ReportKind.PROGRESS, date(2026, 8, 31)), (ReportKind.FINAL, date(2026, 12, 31))]


def test_a_report_is_overdue_the_day_after_its_due_date_on_beijing_time(scheduled):
    first = scheduled.reports[0]  # due 2026-04-15
    assert days_overdue(first, date(2026, 4, 15)) == 0
    assert days_overdue(first, date(2026, 4, 16)) == 1
    # 2026-04-15 17:00 UTC is already 16 April in Beijing
    assert overdue_reports(datetime(2026, 4, 15, 15, 59, tzinfo=UTC)) == []
    assert overdue_reports(datetime(2026, 4, 15, 16, 0, tzinfo=UTC)) == [first]
    assert [r.kind for r in overdue_reports(datetime(2026, 7, 20, tzinfo=UTC))] == [ReportKind.PROGRESS,
                                                                                   ReportKind.MIDTERM]


def test_submitted_or_closed_project_reports_are_not_overdue(scheduled):
    first = scheduled.reports[0]
    first.status = ReportStatus.SUBMITTED
    db.session.commit()
    assert days_overdue(first, date(2026, 5, 1)) == 0
    assert overdue_reports(datetime(2026, 5, 1, tzinfo=UTC)) == []
    scheduled.contract.status = ContractStatus.CLOSED
    db.session.commit()
    assert overdue_reports(datetime(2026, 8, 1, tzinfo=UTC)) == []
