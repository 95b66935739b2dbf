"""The 整改 loop (DESIGN.md §4: third parties and officers check 整改; while an 整改 is open, later tranches are
paused; issue 14).

Opening a case issues its 整改通知书 (``documents.operations.issue_document``, in the same transaction), not the
other way round: monitoring owns the case and sits above documents, so documents never has to know that a
notice opens anything, and a notice can never exist without its case (the older page that issues a bare
notice stays for notices that need no follow-up).

    整改中 --提交整改报告 (承接机构)--> 待核查 --整改完成 (核查人)--> 已完成整改
                                      待核查 --继续整改 (核查人, reason, new deadline)--> 整改中

While a case is not closed, monitoring tells funding to pause every tranche not yet paid
(``funding.payments.operations.pause_tranches``, a public reason without the findings); closing it releases
them. The verifier is ``may_verify``: the officer, or the staff of a third party (第三方机构) — who must be
appointed to the project (``inspection.queries.is_appointed``; also ``permissions.can_verify_rectification``).
The scheduled task ``mark_overdue`` marks open cases past their deadline once per deadline and tells the
officer who opened them. Termination and recovery after an overdue 整改 (per the call's rule) are not
automated: the officer terminates and records recoveries on the funding pages. When a contract is terminated,
funding announces it (``core.signals.contract_terminated``) and ``end_on_termination`` closes the project's open
case with the reason 合同终止 (on the timeline; the organization is told; the tranches stay stopped by the
termination).

Each write takes the objects and the acting user, locks the project, flushes under a named audit action and
never commits; a refusal raises ``MonitoringRefused`` with a Chinese message and the form field.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.files import store_upload
from grantportal.core.inputs import CONTROL_MESSAGE, has_control
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.photos import PHOTO_EXTENSIONS, store_photo
from grantportal.core.roles import Role
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workdays import publicity_end
from grantportal.core.workflow import StateMachine, Transition
from grantportal.documents.models import DocumentKind
from grantportal.documents.operations import issue_document
from grantportal.funding.models import ContractStatus
from grantportal.funding.payments.operations import pause_tranches, release_tranches
from grantportal.inspection.queries import appointed_staff, is_appointed
from grantportal.monitoring.rectification_models import (
    CaseStatus,
    RectificationCase,
    RectificationEvidence,
    RectificationReport,
    Verdict,
)
from grantportal.monitoring.workflow import MonitoringRefused, lock_project, notify_org

TERMINATED_REASON = "合同终止"
DEADLINE_HOUR = 17  # a deadline ends at the close of office hours, site time
FINDINGS_MAX = 2000
REPORT_MAX = 5000
NOTE_MAX = 2000
MAX_EVIDENCE = 9
EVIDENCE_EXTENSIONS = ("pdf", *PHOTO_EXTENSIONS)
CLOSED_MESSAGE = "该整改已完成并关闭，不再接受整改报告。"


def _is_org_member(user):
    return has_role(user, Role.ORG_MEMBER)


def may_verify(user):
    """Who verifies 整改: the officer, or a third party's staff (``verify`` checks that their agency is appointed
    to the project)."""
    return is_officer(user) or has_role(user, Role.THIRD_PARTY)


C = CaseStatus
RECTIFICATION = StateMachine(
    "rectification", "status", CaseStatus, final=frozenset({C.CLOSED}), refusal=MonitoringRefused, noun="整改",
    transitions=(
        Transition("report", frozenset({C.OPEN}), C.REPORTED, "提交整改报告", "承接机构", _is_org_member),
        Transition("close", frozenset({C.REPORTED}), C.CLOSED, "确认整改完成", "项目官员或第三方机构", may_verify),
        Transition("continue", frozenset({C.REPORTED}), C.OPEN, "要求继续整改", "项目官员或第三方机构", may_verify),
        # not a button: funding's termination of the contract ends the case (``end_on_termination``)
        Transition("end", frozenset({C.OPEN, C.REPORTED}), C.CLOSED, "因合同终止关闭整改", "项目官员", is_officer),
    ),
    not_allowed={
        C.REPORTED: lambda case: _closed_message(case) if case.status == C.CLOSED
        else "整改报告已提交，正在核查；核查结果出来前不能再次提交。",
        C.CLOSED: "该整改当前不是待核查状态，没有可核查的整改报告。",
        C.OPEN: "该整改当前不是待核查状态，没有可核查的整改报告。",
    },
)


def _closed_message(case):
    if case.closed_reason:
        return f"该整改已因{case.closed_reason}关闭，不再接受整改报告。"
    return CLOSED_MESSAGE


@dataclass
class Evidence:
    """An uploaded file already checked by the view (``core.files.check_upload``), rewound."""
    upload: object
    extension: str


def default_deadline(call, now):
    """The call's ``rectification_days`` working days after ``now``'s local date, at 17:00 site time (UTC)."""
    return publicity_end(now, call.rectification_days, end_hour=DEADLINE_HOUR)


def pause_reason(case):
    """What funding shows (publicly too) on the paused tranches: no findings, no names."""
    number = f"（整改通知书 {case.document.number}）" if case.document is not None else ""
    return f"项目整改期间暂停拨付{number}，整改期限至{format_datetime(case.deadline)}；整改完成后恢复拨付。"


def open_cases(contract):
    return db.session.scalars(sa.select(RectificationCase).where(
        RectificationCase.contract_id == contract.id, RectificationCase.status != CaseStatus.CLOSED)).all()


def cases_of(contract):
    return db.session.scalars(sa.select(RectificationCase).where(RectificationCase.contract_id == contract.id)
                              .order_by(RectificationCase.opened_at, RectificationCase.id)).all()


@dataclass(frozen=True)
class PublicCase:
    """What the public project page shows of a case: dates and 整改中 / 已完成整改 / 已关闭（合同终止）, no findings,
    no names."""
    opened_at: object
    closed_at: object
    deadline: object
    closed_reason: str | None = None

    @property
    def label(self):
        if self.closed_at is None:
            return "整改中"
        return f"已关闭（{self.closed_reason}）" if self.closed_reason else "已完成整改"


def public_cases(contract):
    return [PublicCase(c.opened_at, c.closed_at, c.deadline, c.closed_reason) for c in cases_of(contract)]


def _text(value, what, field, limit, minimum=1):
    text = (value or "").strip()
    if len(text) < minimum:
        raise MonitoringRefused(f"请填写{what}" + (f"（不少于{minimum}个字）。" if minimum > 1 else "。"), field, 400)
    if len(text) > limit:
        raise MonitoringRefused(f"{what}不能超过{limit}个字。", field, 400)
    if has_control(text, multiline=True):
        raise MonitoringRefused(what + CONTROL_MESSAGE, field, 400)
    return text


def _deadline(deadline, now, field="deadline"):
    if deadline is None:
        raise MonitoringRefused("请填写整改期限。", field, 400)
    if deadline <= now:
        raise MonitoringRefused("整改期限须晚于现在。", field, 400)
    return deadline


def open_case(contract, user, findings, deadline, now, link_for=None):
    """Open a 整改 on a project in progress and issue its 整改通知书 (rendered after the commit): the
    ``findings`` (one per line) and the ``deadline`` (aware UTC; ``default_deadline`` when None). The tranches
    not yet paid are paused at once and the organization is told. Refused while another case of the project
    is not closed."""
    lock_project(contract)
    if contract.status != ContractStatus.ACTIVE:
        raise MonitoringRefused(f"合同状态为{quoted(contract.status.label)}，只有履行中的项目可以责令整改。")
    if open_cases(contract):
        raise MonitoringRefused("该项目已有未完成的整改，请在原整改中核查或要求继续整改。")
    lines = [line.strip() for line in _text(findings, "整改事项", "findings", FINDINGS_MAX, 5).splitlines()]
    findings = "\n".join(line for line in lines if line)
    if deadline is None:
        deadline = default_deadline(contract.award.proposal.call, now)
    deadline = _deadline(deadline, now)
    doc = issue_document(contract.award, DocumentKind.RECTIFICATION_NOTICE, user,
                         extras={"reason": findings, "deadline": format_datetime(deadline)})
    with audit_action("rectification.open"):
        case = RectificationCase(contract=contract, document=doc, findings=findings, deadline=deadline,
                                 status=CaseStatus.OPEN, opened_by_id=user.id, opened_at=now)
        db.session.add(case)
        db.session.flush()
        notify_org(contract, "整改通知",
                   f"项目{quoted(contract.award.application.title)}须整改（整改通知书 {doc.number}），请于"
                   f"{format_datetime(deadline)}前提交整改报告。整改期间暂停拨付后续资金。",
                   link_for(case) if link_for else None)
    pause_tranches(contract, pause_reason(case), user)
    return case


def _store_evidence(item, user):
    if item.extension in PHOTO_EXTENSIONS:
        return store_photo(item.upload, user)  # GPS, time and device removed (core/photos.py)
    return store_upload(item.upload, user, ("pdf",))


def file_report(case, user, body, now, evidence=(), link_for=None):
    """The organization's 整改报告: what was done (``body``) and its evidence (checked files, at most
    ``MAX_EVIDENCE``). Refused once the case is closed, and while a report waits for verification. The
    officer who opened the case and the staff of a third party appointed to the project are told."""
    lock_project(case.contract)
    step = RECTIFICATION.require(user, case, "report")
    body = _text(body, "整改情况", "body", REPORT_MAX, 5)
    evidence = list(evidence)
    if len(evidence) > MAX_EVIDENCE:
        raise MonitoringRefused(f"证明材料最多上传{MAX_EVIDENCE}个文件。", "evidence", 400)
    with audit_action(RECTIFICATION.audit_action(step)):
        report = RectificationReport(case=case, body=body, submitted_by_id=user.id, submitted_at=now)
        db.session.add(report)
        for item in evidence:
            report.evidence.append(RectificationEvidence(file=_store_evidence(item, user)))
        case.status = step.target
        db.session.flush()
        for verifier in [case.opened_by, *appointed_staff(case.contract)]:  # the officer, and the third party
            notify(verifier, "整改报告待核查",
                   f"{quoted(case.contract.award.application.title)}的承接机构已提交整改报告，请核查。",
                   link_for(case) if link_for else None)
    return report


def verify(case, user, verdict, now, note="", new_deadline=None, link_for=None):
    """Verify the waiting 整改报告: ``Verdict.DONE`` closes the case and releases the tranches;
    ``Verdict.CONTINUE`` needs a ``note`` (why) and a ``new_deadline`` and reopens the case, the tranches
    staying paused. The organization is told either way. ``user`` is whoever ``may_verify``: the officer, or a
    third party's staff appointed to the project (else refused, 403)."""
    lock_project(case.contract)
    step = RECTIFICATION.require(user, case, "close" if verdict == Verdict.DONE else "continue")
    if not is_officer(user) and not is_appointed(user, case.contract):
        raise MonitoringRefused("您所在的第三方机构未受委托监管该项目，不能核查整改。", status=403)
    report = case.reports[-1]
    if verdict == Verdict.CONTINUE:
        note = _text(note, "继续整改的理由", "note", NOTE_MAX, 5)
        new_deadline = _deadline(new_deadline, now, "new_deadline")
    else:
        note = (note or "").strip()[:NOTE_MAX] or None
        new_deadline = None
    title = case.contract.award.application.title
    with audit_action(RECTIFICATION.audit_action(step)):
        report.verdict, report.verdict_note, report.new_deadline = verdict, note, new_deadline
        report.verified_by_id, report.verified_at = user.id, now
        case.status = step.target
        if verdict == Verdict.DONE:
            case.closed_at, case.closed_by_id = now, user.id
        else:
            case.deadline, case.overdue_at, case.rounds = new_deadline, None, case.rounds + 1
        db.session.flush()
        if verdict == Verdict.DONE:
            notify_org(case.contract, "整改已完成",
                       f"项目{quoted(title)}的整改经核查已完成，暂停拨付的资金恢复按约定拨付。",
                       link_for(case) if link_for else None)
        else:
            notify_org(case.contract, "须继续整改",
                       f"项目{quoted(title)}的整改报告经核查须继续整改：{note}。请于{format_datetime(new_deadline)}前"
                       "再次提交整改报告。", link_for(case) if link_for else None)
        if not is_officer(user):  # a third party verified: the officer who opened the case is told too
            notify(case.opened_by, f"第三方机构核查整改：{verdict.label}",
                   f"受委托的第三方机构已核查{quoted(title)}的整改报告，结论为{verdict.label}。",
                   link_for(case) if link_for else None)
    if verdict == Verdict.DONE:
        release_tranches(case.contract, user)
    else:
        pause_tranches(case.contract, pause_reason(case), user)
    return case


def end_on_termination(contract, user, now, link_for=None):
    """The contract was terminated: each of its cases not yet closed closes with the reason 合同终止 (a report
    waiting for verification stays unverified). The tranches are not released: the termination stops them for
    good. The organization is told. Returns the cases closed."""
    cases = open_cases(contract)
    for case in cases:
        step = RECTIFICATION.require(user, case, "end")
        with audit_action(RECTIFICATION.audit_action(step)):
            case.status = step.target
            case.closed_at, case.closed_by_id, case.closed_reason = now, user.id, TERMINATED_REASON
            db.session.flush()
            notify_org(contract, "整改随合同终止关闭",
                       f"项目{quoted(contract.award.application.title)}的合同已终止，未完成的整改"
                       f"{f'（整改通知书 {case.document.number}）' if case.document is not None else ''}随之关闭，"
                       "不再接受整改报告。", link_for(case) if link_for else None)
    return cases


def overdue_cases(now):
    """Cases waiting for the organization's report past their deadline and not yet marked."""
    return db.session.scalars(sa.select(RectificationCase).where(
        RectificationCase.status == CaseStatus.OPEN, RectificationCase.deadline < now,
        RectificationCase.overdue_at.is_(None)).order_by(RectificationCase.deadline, RectificationCase.id)).all()


OVERDUE_TERMINATES = ("按本征集规则，整改逾期的应终止合同并追回已拨付资金，"
                      "请在合同签约页面办理终止，在资金拨付页面登记追回。")
OVERDUE_NOTIFY = "请督促或依约处理。"


def overdue_rule(case):
    """What the call's rule says to do with ``case`` past its deadline (``Call.rectification_overdue_terminates``)."""
    return OVERDUE_TERMINATES if case.contract.award.proposal.call.rectification_overdue_terminates else OVERDUE_NOTIFY


def mark_overdue(now, link_for=None):
    """Mark each open case past its deadline overdue and tell the officer who opened it (once per deadline:
    a second run finds nothing new). Returns how many were marked."""
    cases = overdue_cases(now)
    with audit_action("rectification.overdue"):
        for case in cases:
            case.overdue_at = now
            notify(case.opened_by, "整改逾期",
                   f"{quoted(case.contract.award.application.title)}的整改已超过期限（{format_datetime(case.deadline)}）"
                   f"仍未提交整改报告，{overdue_rule(case)}", link_for(case) if link_for else None)
        db.session.flush()
    return len(cases)
