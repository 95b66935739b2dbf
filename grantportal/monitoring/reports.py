"""The officer's side of a project's reports: the schedule the contract's term calls for (made when funding
announces the contract's confirmation, see ``operations.schedule_on_confirmation``), the review of a
submitted report (审核通过 or 退回修改, ``workflow.REPORT``) and reminders of overdue reports. Each write
flushes under a named audit action and never commits; the organization hears of each decision after the
commit (``core.notices``)."""
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.timeutil import format_date
from grantportal.core.wording import quoted
from grantportal.funding.models import ContractStatus
from grantportal.monitoring.models import Report, ReportStatus
from grantportal.monitoring.schedule import local_date, overdue_reports, plan_reports
from grantportal.monitoring.workflow import (
    REPORT,
    MonitoringRefused,
    check_version,
    lock_project,
    notify_org,
    period_text,
    reports_of,
)


def schedule_reports(contract, user):
    """Create the reports the contract's term calls for (see ``schedule``). Idempotent: a report of the
    same kind and period end is never made twice. Returns the reports created."""
    if contract.status != ContractStatus.ACTIVE:
        raise MonitoringRefused(f"合同状态为{quoted(contract.status.label)}，履行中的项目才能生成报告计划。")
    if contract.starts_on is None or contract.ends_on is None:
        raise MonitoringRefused("合同未填写履行期限，不能生成报告计划。")
    lock_project(contract)
    have = {(r.kind, r.period_end) for r in reports_of(contract)}
    every = contract.award.proposal.call.report_every_months
    made = []
    with audit_action("report.schedule"):
        for p in plan_reports(contract.starts_on, contract.ends_on, every):
            if (p.kind, p.period_end) in have:
                continue
            report = Report(contract_id=contract.id, kind=p.kind, period_start=p.period_start,
                            period_end=p.period_end, due_on=p.due_on, status=ReportStatus.DUE)
            db.session.add(report)
            made.append(report)
        db.session.flush()
    return made


# --- review -------------------------------------------------------------------------------------------

def _review_step(report, officer, name, expected_version):
    check_version(report, expected_version)
    return REPORT.require(officer, report, name)


def accept_report(report, officer, now, expected_version=None, link=None):
    step = _review_step(report, officer, "accept", expected_version)
    with audit_action(REPORT.audit_action(step)):
        report.status = step.target
        report.reviewed_at, report.reviewed_by_id, report.review_note = now, officer.id, None
        notify_org(report.contract, f"{report.kind.label}已审核通过",
                   f"贵机构提交的{report.kind.label}（{period_text(report)}）已审核通过。", link)
        db.session.flush()
    return report


def return_report(report, officer, note, now, expected_version=None, link=None):
    note = (note or "").strip()
    if not note:
        raise MonitoringRefused("退回时请填写修改意见。", "note", 400)
    step = _review_step(report, officer, "return", expected_version)
    with audit_action(REPORT.audit_action(step)):
        report.status = step.target
        report.reviewed_at, report.reviewed_by_id, report.review_note = now, officer.id, note
        notify_org(report.contract, f"{report.kind.label}被退回修改",
                   f"贵机构提交的{report.kind.label}需修改后重新提交。修改意见：{note}", link)
        db.session.flush()
    return report


def remind_overdue(user, now, link_for=None):
    """Notify the members of every organization with overdue reports (one notice per project and member).
    Returns the number of projects reminded."""
    by_contract = {}
    for report in overdue_reports(now):
        by_contract.setdefault(report.contract_id, []).append(report)
    today = local_date(now)
    with audit_action("report.remind"):
        for reports in by_contract.values():
            contract = reports[0].contract
            items = "；".join(f"{r.kind.label}（应于{format_date(r.due_on)}前提交，已逾期{(today - r.due_on).days}天）"
                             for r in reports)
            title = contract.award.application.title
            notify_org(contract, "报告逾期提醒",
                       f"项目{quoted(title)}有{len(reports)}份报告逾期未交：{items}。请尽快提交。",
                       link_for(contract) if link_for else None)
        db.session.flush()
    return len(by_contract)
