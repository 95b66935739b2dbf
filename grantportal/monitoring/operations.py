"""Writes of implementation monitoring: the project's report schedule (made when funding announces the
contract's confirmation, ``core.signals.contract_confirmed``), filing and reviewing reports, evaluations,
reminders and closure (结项).

Monitoring tells funding: an evaluation is reported to ``funding.payments.operations.record_milestone`` and
closure goes through ``funding.contracts.operations.close_contract``, so that funding derives its tranches
from its own rows.

Each takes the objects and the acting user, flushes under a named audit action and never commits; a
refusal raises ``MonitoringRefused`` with a Chinese message (and the form field it belongs to).

A report's status changes only through ``REPORT`` (its steps as data, ``core.workflow``):

    待提交 --保存--> 草稿
    待提交 / 草稿 / 退回修改 --提交--> 已提交 --审核通过--> 已审核
                                       已提交 --退回--> 退回修改
    待提交 / 草稿 / 退回修改 --免除（结项时仍欠交）--> 免于提交

While a report may still be submitted (待提交, 草稿, 退回修改) its organization may also edit it; editing a
草稿 or 退回修改 report keeps its status.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from grantportal.core import signals
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused, stale_message
from grantportal.core.files import discard, store_upload
from grantportal.core.inputs import CONTROL_MESSAGE, has_control
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.roles import Role
from grantportal.core.timeutil import format_date
from grantportal.core.workflow import StateMachine, Transition
from grantportal.funding.contracts.operations import close_contract
from grantportal.funding.models import Contract, ContractStatus, TrancheStatus
from grantportal.funding.payments.operations import record_milestone, refresh_tranches
from grantportal.monitoring.models import (
    Evaluation,
    EvaluationStage,
    Report,
    ReportKind,
    ReportPhoto,
    ReportSpending,
    ReportStatus,
)
from grantportal.monitoring.schedule import OPEN, local_date, overdue_reports, plan_reports
from grantportal.review.models import ReviewRound, RoundKind, RoundStatus
from grantportal.review.results.aggregate import round_results

PHOTO_EXTENSIONS = ("jpg", "jpeg", "png")
MAX_PHOTOS = 9
MAX_SCORE = Decimal(100)


class MonitoringRefused(Refused):
    """A monitoring operation refused (``core.errors.Refused``: message, field, status)."""


class StaleReport(MonitoringRefused):
    """The report changed since the page was opened (its version): nothing was saved."""

    def __init__(self):
        super().__init__(stale_message("该报告"))


def _is_org_member(user):
    """Which organization's member is the permission's question (``can_file_report``)."""
    return has_role(user, Role.ORG_MEMBER)


def _not_editable(report):
    return f"该报告{report.status.label}，不能再修改。"


def _not_reviewable(report):
    return f"该报告当前为“{report.status.label}”，只有已提交的报告才能审核。"


R = ReportStatus
REPORT = StateMachine(
    "report", "status", ReportStatus, final=frozenset({R.ACCEPTED, R.WAIVED}), refusal=MonitoringRefused,
    noun="报告",
    transitions=(
        Transition("save", frozenset({R.DUE}), R.DRAFT, "保存", "承接机构", _is_org_member),
        Transition("submit", frozenset(OPEN), R.SUBMITTED, "提交", "承接机构", _is_org_member),
        Transition("accept", frozenset({R.SUBMITTED}), R.ACCEPTED, "审核通过", "项目官员", is_officer),
        Transition("return", frozenset({R.SUBMITTED}), R.RETURNED, "退回", "项目官员", is_officer),
        # still owed when the project closes: no longer required (taken inside 结项, logged under its name)
        Transition("waive", frozenset(OPEN), R.WAIVED, "免除", "项目官员", is_officer, audit="contract.close"),
    ),
    not_allowed={R.SUBMITTED: _not_editable, R.ACCEPTED: _not_reviewable, R.RETURNED: _not_reviewable},
)


def org_of(contract):
    return contract.award.application.org


def _period(report):
    return f"{format_date(report.period_start)}至{format_date(report.period_end)}"


def _notify_org(contract, title, body, link=None):
    for member in org_of(contract).members:
        notify(member.user, title, body, link)


def _lock(contract):
    """Writers on one project take turns (``core.db.lock_row``), so state checks hold until commit."""
    lock_row(Contract, contract.id)


def reports_of(contract):
    return db.session.scalars(sa.select(Report).where(Report.contract_id == contract.id)
                              .order_by(Report.due_on, Report.period_end, Report.id)).all()


# --- schedule -----------------------------------------------------------------------------------------

def schedule_reports(contract, user):
    """Create the reports the contract's term calls for (see ``schedule``). Idempotent: a report of the
    same kind and period end is never made twice. Returns the reports created."""
    if contract.status != ContractStatus.ACTIVE:
        raise MonitoringRefused(f"合同状态为“{contract.status.label}”，履行中的项目才能生成报告计划。")
    if contract.starts_on is None or contract.ends_on is None:
        raise MonitoringRefused("合同未填写履行期限，不能生成报告计划。")
    _lock(contract)
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


@signals.contract_confirmed.connect
def schedule_on_confirmation(contract, user, **_):
    """签署确认 starts the project: funding has confirmed the signed scan (待确认 → 履行中, the tranches due on
    signing became 可拨付) and announced it; the progress, mid-term and final reports now fall due, in the
    same transaction. A refusal (no contract term) vetoes the confirmation."""
    schedule_reports(contract, user)


# --- filing -------------------------------------------------------------------------------------------

@dataclass
class ReportData:
    activities: str
    served_count: int | None
    outcomes: str
    spent: list  # Decimal | None per budget line of the application, in order


def budget_lines(report):
    return list(report.contract.award.application.budget_lines)


def _check_open_for_filing(report, user):
    """The project is in progress and the report may still be submitted (so it may be edited)."""
    contract = report.contract
    if contract.status == ContractStatus.CLOSED:
        raise MonitoringRefused("该项目已结项，不再接受报告。")
    if contract.status != ContractStatus.ACTIVE:
        raise MonitoringRefused(f"合同状态为“{contract.status.label}”，项目履行期间才能填报报告。")
    REPORT.require(user, report, "submit")


def _check_version(report, expected):
    if expected is not None and expected != report.version:
        raise StaleReport()


def _apply(report, data):
    report.activities = (data.activities or "").strip()
    report.outcomes = (data.outcomes or "").strip()
    report.served_count = data.served_count
    lines = budget_lines(report)
    rows = {row.position: row for row in report.spending}
    for i, line in enumerate(lines):
        spent = data.spent[i] if i < len(data.spent) else None
        row = rows.get(i)
        if row is None:
            if spent is None:
                continue
            row = ReportSpending(position=i, budget_line_id=line.id, category=line.category, item=line.item,
                                 planned=line.amount, spent=spent)
            report.spending.append(row)
        elif spent is None:
            report.spending.remove(row)
        else:
            row.spent = spent


def _submission_problem(report):
    if not report.activities:
        return "请填写本期开展的活动。", "activities"
    if report.served_count is None:
        return "请填写服务人次（没有则填0）。", "served_count"
    if not report.outcomes:
        return "请填写取得的成效。", "outcomes"
    if len(report.spending) < len(budget_lines(report)):
        return "请在预算执行情况中填写每一项预算的本期实际支出（没有支出的填0）。", None
    return None


def save_report(report, user, data, now, expected_version=None, submit=False, uploads=(), remove_photo_ids=(),
                captions=None):
    """Save the organization's report as a draft, or submit it for review (``submit``): the text, the spending
    by budget line, the captions of its photos (``captions``: {photo id: text}), photos removed and added
    (``uploads``: checked JPG/PNG files). If the caller rolls back, the bytes of the files added are deleted
    with the transaction (core.files)."""
    _lock(report.contract)
    _check_open_for_filing(report, user)
    _check_version(report, expected_version)
    captions = {pid: (text or "").strip() for pid, text in (captions or {}).items()}
    if any(has_control(text) for text in captions.values()):
        raise MonitoringRefused("照片说明" + CONTROL_MESSAGE, None, 400)
    if any(len(text) > CAPTION_MAX for text in captions.values()):
        raise MonitoringRefused(f"照片说明每条不超过{CAPTION_MAX}个字。", None, 400)
    with audit_action("report.submit" if submit else "report.save"):
        _apply(report, data)
        for photo in report.photos:
            if photo.id in captions:
                photo.caption = captions[photo.id]
        if report.status == ReportStatus.DUE:
            report.status = REPORT.require(user, report, "save").target
        db.session.flush()
    if remove_photo_ids:
        remove_photos(report, remove_photo_ids, user)
    if uploads:
        add_photos(report, list(uploads), user)
    if submit:
        problem = _submission_problem(report)
        if problem:
            raise MonitoringRefused(*problem, status=400)
        step = REPORT.require(user, report, "submit", now)
        with audit_action(REPORT.audit_action(step)):
            report.status = step.target
            report.submitted_at, report.submitted_by_id = now, user.id
            db.session.flush()
    return report


CAPTION_MAX = 120  # ReportPhoto.caption


def add_photos(report, uploads, user):
    """Store checked JPG/PNG photos (at most ``MAX_PHOTOS`` per report). Raises ``UploadError`` for a file
    that is not a real image; returns the stored files (their bytes go if the transaction rolls back)."""
    _check_open_for_filing(report, user)
    if len(report.photos) + len(uploads) > MAX_PHOTOS:
        raise MonitoringRefused(f"每份报告最多上传{MAX_PHOTOS}张照片（已有{len(report.photos)}张）。", "photos", 400)
    stored = []
    with audit_action("report.photo_add"):
        for upload in uploads:
            record = store_upload(upload, user, allowed=PHOTO_EXTENSIONS)
            stored.append(record)
            report.photos.append(ReportPhoto(file=record, caption=""))
        db.session.flush()
    return stored


def remove_photos(report, photo_ids, user):
    _check_open_for_filing(report, user)
    with audit_action("report.photo_remove"):
        for photo in [p for p in report.photos if p.id in set(photo_ids)]:
            report.photos.remove(photo)
            discard(photo.file)
        db.session.flush()


# --- review -------------------------------------------------------------------------------------------

def _review_step(report, officer, name, expected_version):
    _check_version(report, expected_version)
    return REPORT.require(officer, report, name)


def accept_report(report, officer, now, expected_version=None, link=None):
    step = _review_step(report, officer, "accept", expected_version)
    with audit_action(REPORT.audit_action(step)):
        report.status = step.target
        report.reviewed_at, report.reviewed_by_id, report.review_note = now, officer.id, None
        _notify_org(report.contract, f"{report.kind.label}已审核通过",
                    f"贵机构提交的{report.kind.label}（{_period(report)}）已审核通过。", link)
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
        _notify_org(report.contract, f"{report.kind.label}被退回修改",
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
            _notify_org(contract, "报告逾期提醒", f"项目“{title}”有{len(reports)}份报告逾期未交：{items}。请尽快提交。",
                        link_for(contract) if link_for else None)
        db.session.flush()
    return len(by_contract)


# --- evaluations --------------------------------------------------------------------------------------

def _report_of_kind(contract, kind):
    return db.session.scalars(sa.select(Report).where(Report.contract_id == contract.id, Report.kind == kind)
                              .order_by(Report.id.desc())).first()


def evaluations_of(contract):
    return db.session.scalars(sa.select(Evaluation).where(Evaluation.contract_id == contract.id)
                              .order_by(Evaluation.evaluated_at, Evaluation.id)).all()


def latest_evaluation(contract, stage):
    found = [e for e in evaluations_of(contract) if e.stage == stage]
    return found[-1] if found else None


def evaluation_problem(contract, stage):
    """Why ``stage`` cannot be evaluated now (Chinese), or None."""
    if contract.status != ContractStatus.ACTIVE:
        return f"合同状态为“{contract.status.label}”，只能评估履行中的项目。"
    latest = latest_evaluation(contract, stage)
    if latest is not None and latest.grade.passed:
        return f"该项目已通过{stage.label}（{latest.grade.label}），不能重复评估。"
    if stage == EvaluationStage.MIDTERM:
        report = _report_of_kind(contract, ReportKind.MIDTERM)
        if report is None or report.status not in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            return "机构尚未提交中期报告，不能进行中期评估。"
    else:
        report = _report_of_kind(contract, ReportKind.FINAL)
        if report is None or report.status != ReportStatus.ACCEPTED:
            return "结项报告尚未审核通过，不能进行结项验收。"
    return None


def acceptance_rounds(contract):
    """The call's closed expert rounds of kind 验收评审, which an evaluation may take its score from."""
    return db.session.scalars(sa.select(ReviewRound).where(
        ReviewRound.call_id == contract.award.proposal.call_id, ReviewRound.kind == RoundKind.ACCEPTANCE,
        ReviewRound.status == RoundStatus.CLOSED).order_by(ReviewRound.position, ReviewRound.id)).all()


def round_score(contract, review_round):
    """The project's aggregated score in an expert 验收评审 round (``review.aggregate.round_results``)."""
    if review_round.call_id != contract.award.proposal.call_id or review_round.kind != RoundKind.ACCEPTANCE:
        raise MonitoringRefused("只能采用本项目所在征集的验收评审轮次。", "review_round", 400)
    if review_round.status != RoundStatus.CLOSED:
        raise MonitoringRefused("该验收评审轮次尚未结束，不能采用其得分。", "review_round")
    stats = round_results(review_round).get(contract.award.application_id)
    if stats is None:
        raise MonitoringRefused("该验收评审轮次中没有本项目已提交的专家评分。", "review_round")
    return stats.score


def record_evaluation(contract, officer, stage, grade, score, comments, now, review_round=None, link=None):
    """An officer's 中期评估 or 结项验收 of an active project, reported to funding (the tranches that wait
    for it become payable, or are paused when a 中期评估 fails). With
    ``review_round`` (an expert 验收评审 round of the call) the score is that round's aggregated score."""
    comments = (comments or "").strip()
    if not comments:
        raise MonitoringRefused("请填写评估意见。", "comments", 400)
    if review_round is not None:
        score = round_score(contract, review_round)
    if score is not None and not (Decimal(0) <= score <= MAX_SCORE):
        raise MonitoringRefused("评估得分须在0至100分之间。", "score", 400)
    _lock(contract)
    problem = evaluation_problem(contract, stage)
    if problem:
        raise MonitoringRefused(problem, "stage")
    with audit_action("evaluation.record"):
        evaluation = Evaluation(contract_id=contract.id, stage=stage, grade=grade, score=score, comments=comments,
                                review_round_id=review_round.id if review_round is not None else None,
                                evaluated_by_id=officer.id, evaluated_at=now)
        db.session.add(evaluation)
        db.session.flush()
        result = "合格" if grade.passed else "不合格"
        _notify_org(contract, f"{stage.label}结果：{grade.label}",
                    f"项目“{contract.award.application.title}”的{stage.label}结果为{grade.label}（{result}）。"
                    f"评估意见：{comments}", link)
        record_milestone(contract, stage.milestone, grade.passed, now, officer)
        db.session.flush()
    return evaluation


# --- closure ------------------------------------------------------------------------------------------

def closure_problem(contract):
    """The first missing step before the project can be closed (Chinese), or None."""
    if contract.status == ContractStatus.CLOSED:
        return "该项目已结项。"
    if contract.status != ContractStatus.ACTIVE:
        return f"合同状态为“{contract.status.label}”，只有履行中的项目才能结项。"
    acceptance = latest_evaluation(contract, EvaluationStage.ACCEPTANCE)
    if acceptance is None:
        return "尚未进行结项验收，验收合格后才能结项。"
    if not acceptance.grade.passed:
        return "结项验收不合格，不能结项。"
    unpaid = [t for t in contract.tranches if t.status != TrancheStatus.PAID]
    if unpaid:
        names = "、".join(f"第{t.position}期（{t.condition.label}，{t.status.label}）" for t in unpaid)
        return f"尚有资金未拨付完毕：{names}。各期拨付完成后才能结项。"
    return None


def close_project(contract, user, now, link=None):
    """结项: only with a passing 结项验收 and every tranche paid (tranche states refreshed first)."""
    _lock(contract)
    with audit_action("tranche.refresh"):
        refresh_tranches(contract)
    problem = closure_problem(contract)
    if problem:
        raise MonitoringRefused(problem)
    with audit_action("contract.close"):
        close_contract(contract, user, now)
        for report in reports_of(contract):  # progress reports not yet due are no longer owed
            if REPORT.allows(report, "waive"):
                report.status = REPORT.require(user, report, "waive").target
        title = contract.award.application.title
        _notify_org(contract, "项目已结项", f"项目“{title}”已通过结项验收并完成拨付，现已结项。", link)
        db.session.flush()
    return contract
