"""A project's timeline: one ordered list of dated events read from the data (never stored twice).

Events with a time (confirmations, submissions, evaluations, closure) are stored in UTC and compared in
the site's zone; events with only a date (due dates, payments, recoveries) sort before the timed events
of the same day, and each kind keeps a fixed order within the day."""
from dataclasses import dataclass, field
from datetime import date, datetime, time

from grantportal.core.money import format_yuan
from grantportal.core.timeutil import format_date, format_datetime, to_local
from grantportal.inspection.models import CheckResult
from grantportal.inspection.queries import confirmed_evaluations, confirmed_visits
from grantportal.monitoring.models import ReportStatus
from grantportal.monitoring.operations import evaluations_of, reports_of
from grantportal.monitoring.rectification import cases_of
from grantportal.monitoring.rectification_models import Verdict
from grantportal.monitoring.schedule import days_overdue


@dataclass
class Event:
    when: date | datetime  # a date (date-only events) or an aware UTC datetime
    kind: str  # award / contract / report_due / report_submitted / report_accepted / … / closed
    title: str
    detail: str = ""
    overdue_days: int = 0
    upcoming: bool = False
    link_report_id: int | None = None
    link_case_id: int | None = None  # a 整改 (monitoring/rectification.py)
    order: int = field(default=0, repr=False)

    @property
    def has_time(self):
        return isinstance(self.when, datetime)

    @property
    def sort_key(self):
        if self.has_time:
            local = to_local(self.when)
            return (local.date(), 1, local.time(), self.order)
        return (self.when, 0, time(0), self.order)


def project_timeline(contract, today):
    """Every dated event of ``contract`` in order; ``today`` (a local date) marks overdue and upcoming."""
    events = []
    award = contract.award
    proposal = award.proposal
    if proposal.confirmed_at:
        events.append(Event(proposal.confirmed_at, "award", "最终结果确定，项目入选",
                            f"资助金额{format_yuan(award.amount)}" if award.amount else ""))
    if contract.document is not None and contract.document.issued_at:
        events.append(Event(contract.document.issued_at, "contract", "合同已出具",
                            f"合同编号{contract.document.number}"))
    if contract.signed_uploaded_at:
        events.append(Event(contract.signed_uploaded_at, "contract", "机构上传已签署合同", order=1))
    if contract.confirmed_at:
        term = (f"履行期限{format_date(contract.starts_on)}至{format_date(contract.ends_on)}"
                if contract.starts_on else "")
        events.append(Event(contract.confirmed_at, "contract", "合同确认生效，项目开始履行", term, order=2))
    for report in reports_of(contract):
        if report.status == ReportStatus.WAIVED:
            continue
        period = f"报告期{format_date(report.period_start)}至{format_date(report.period_end)}"
        late = days_overdue(report, today)
        pending = report.status in (ReportStatus.DUE, ReportStatus.DRAFT, ReportStatus.RETURNED)
        events.append(Event(report.due_on, "report_due", f"{report.kind.label}应提交", period, overdue_days=late,
                            upcoming=pending and report.due_on >= today, link_report_id=report.id, order=3))
        if report.submitted_at:
            events.append(Event(report.submitted_at, "report_submitted", f"{report.kind.label}已提交", period,
                                link_report_id=report.id, order=4))
        if report.reviewed_at and report.status == ReportStatus.ACCEPTED:
            events.append(Event(report.reviewed_at, "report_accepted", f"{report.kind.label}审核通过", period,
                                link_report_id=report.id, order=5))
        elif report.reviewed_at and report.status == ReportStatus.RETURNED:
            events.append(Event(report.reviewed_at, "report_returned", f"{report.kind.label}退回修改",
                                report.review_note or "", link_report_id=report.id, order=5))
    for ev in evaluations_of(contract):
        score = f"，得分{ev.score}" if ev.score is not None else ""
        events.append(Event(ev.evaluated_at, "evaluation", f"{ev.stage.label}：{ev.grade.label}",
                            f"{'合格' if ev.grade.passed else '不合格'}{score}", order=6))
    for case in cases_of(contract):
        _rectification_events(events, case)
    _third_party_events(events, contract)
    for pay in contract.payments:
        events.append(Event(pay.paid_on, "payment", f"拨付第{pay.tranche.position}期资金",
                            f"{format_yuan(pay.amount)}，凭证号{pay.voucher_number}", order=7))
    for rec in contract.recoveries:
        events.append(Event(rec.recovered_on, "recovery", "追回资金",
                            f"{format_yuan(rec.amount)}，凭证号{rec.voucher_number}；{rec.reason}", order=8))
    if contract.closed_at:
        events.append(Event(contract.closed_at, "closed", "项目结项", order=9))
    return sorted(events, key=lambda e: e.sort_key)


def _rectification_events(events, case):
    """A 整改: the notice with its deadline, each report and its verdict, the overdue mark, the closure."""
    number = f"整改通知书{case.document.number}，" if case.document is not None else ""
    events.append(Event(case.opened_at, "rectification", "责令整改",
                        f"{number}{len(case.finding_lines)}项整改事项，整改期限至{format_datetime(case.deadline)}",
                        link_case_id=case.id, order=10))
    for report in case.reports:
        events.append(Event(report.submitted_at, "rectification", "提交整改报告", link_case_id=case.id, order=11))
        if report.verdict == Verdict.DONE:
            events.append(Event(report.verified_at, "rectification_done", "整改完成，恢复拨付",
                                report.verdict_note or "", link_case_id=case.id, order=12))
        elif report.verdict == Verdict.CONTINUE:
            events.append(Event(report.verified_at, "rectification", "继续整改",
                                f"{report.verdict_note}；新的整改期限至{format_datetime(report.new_deadline)}",
                                link_case_id=case.id, order=12))
    if case.overdue_at:
        events.append(Event(case.overdue_at, "rectification_overdue", "整改逾期未提交整改报告",
                            f"期限{format_datetime(case.deadline)}", link_case_id=case.id, order=13))
    if case.closed_reason:
        events.append(Event(case.closed_at, "rectification", f"整改关闭：{case.closed_reason}",
                            "合同已终止，未完成的整改随之关闭", link_case_id=case.id, order=14))


def _third_party_events(events, contract):
    """Confirmed 实地检查 and evaluations of a third party (inspection/): when, who, the result in numbers; no
    findings' detail and no people met (the organization reads its timeline too)."""
    for visit in confirmed_visits(contract):
        fails = sum(1 for c in visit.checks if c.result == CheckResult.FAILS)
        result = f"{fails}项不符合" if fails else "检查项均符合或基本符合"
        events.append(Event(visit.visited_at, "inspection", "第三方实地检查",
                            f"{visit.agency.name}，{visit.place}；{result}", order=14))
    for ev in confirmed_evaluations(contract):
        parts = [f"平均得分{ev.score}" if ev.score is not None else "",
                 f"满意率{ev.satisfaction}%（调查{ev.surveyed}人）" if ev.satisfaction is not None else ""]
        events.append(Event(ev.decided_at, "inspection", f"第三方{ev.kind.label}（{ev.agency.name}）",
                            "，".join(p for p in parts if p), order=15))
