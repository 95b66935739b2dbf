"""Writes of 随手拍 supervision reports (DESIGN.md §4 Public participation; issue 13): a citizen files one on a
project in execution; officers assign it, may ask the project's organization to answer in writing, and record
the finding (属实 / 不属实 / 部分属实) with a public summary, or close it as abusive or duplicate with a reason.

Every step goes through ``REPORT`` (its transitions as data, ``core.workflow``), flushes under its audit action
and never commits; the reporter is told of each step that concerns them through the inbox (受理, the finding,
closing), the organization when it is asked to answer, the officer handling the report when the answer comes.
Photos are stored only through ``core.photos.store_photo`` (EXIF and GPS gone); if the request rolls back,
their bytes go with it (core.files). Writers on one report take turns on its row lock.

    待分派 --分派--> 处理中 --记录核查结论--> 已答复
    处理中 --改派 / 请机构答复 / 机构答复--> 处理中
    待分派 / 处理中 --关闭（内容不当或重复）--> 已关闭
"""
from dataclasses import dataclass

import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused
from grantportal.core.files import UploadError, clean_display_name
from grantportal.core.masking import mask_text
from grantportal.core.notices import notify
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.photos import PHOTO_EXTENSIONS, store_photo
from grantportal.core.roles import Role
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.funding.models import Contract, ContractStatus
from grantportal.orgs.notices import notify_org
from grantportal.supervision.models import (
    CloseKind,
    Finding,
    SupervisionPhoto,
    SupervisionReport,
    SupervisionStatus,
)

__all__ = ["MAX_PHOTOS", "PHOTO_EXTENSIONS", "PLACE_MAX", "REPORT", "TEXT_MAX", "TEXT_MIN", "ReportData",
           "SupervisionRefused", "answer", "ask_organization", "assign", "close", "file_report", "filing_problem",
           "record_finding"]

TEXT_MIN, TEXT_MAX = 10, 1000
PLACE_MAX = 100  # SupervisionReport.place
MAX_PHOTOS = 3
QUESTION_MAX = ANSWER_MAX = 2000
SUMMARY_MAX = 1000
CLOSE_REASON_MAX = 500


class SupervisionRefused(Refused):
    """A 随手拍 operation refused (``core.errors.Refused``: message, field, status)."""


@dataclass(frozen=True)
class ReportData:
    text: str
    place: str | None


def _is_org_member(user):
    """Which organization's member is the permission's question (``can_answer_supervision_report``)."""
    return has_role(user, Role.ORG_MEMBER)


def _not_now(report):
    if report.status == SupervisionStatus.PENDING:
        return "该报告尚未分派，请先分派给负责核查的项目官员。"
    return f"该报告{report.status.label}，不能再处理。"


def _not_asked_yet(report, now=None):
    if report.org_asked_at is not None:
        return [f"已于{format_datetime(report.org_asked_at)}请承接机构答复，不能重复发送。"]
    return []


def _asked_and_unanswered(report, now=None):
    if report.org_asked_at is None:
        return ["项目官员尚未请机构答复该报告。"]
    if report.org_answered_at is not None:
        return [f"机构已于{format_datetime(report.org_answered_at)}答复，不能重复答复。"]
    return []


S = SupervisionStatus
OPEN = frozenset({S.PENDING, S.ASSIGNED})
REPORT = StateMachine(
    "supervision", "status", SupervisionStatus, final=frozenset({S.ANSWERED, S.CLOSED}), refusal=SupervisionRefused,
    noun="随手拍监督报告",
    transitions=(
        Transition("assign", OPEN, S.ASSIGNED, "分派", "项目官员", is_officer),
        Transition("ask_org", frozenset({S.ASSIGNED}), S.ASSIGNED, "请机构答复", "项目官员", is_officer,
                   _not_asked_yet),
        Transition("answer", frozenset({S.ASSIGNED}), S.ASSIGNED, "答复", "承接机构", _is_org_member,
                   _asked_and_unanswered),
        Transition("conclude", frozenset({S.ASSIGNED}), S.ANSWERED, "记录核查结论", "项目官员", is_officer),
        Transition("close", OPEN, S.CLOSED, "关闭", "项目官员", is_officer),
    ),
    not_allowed={S.ASSIGNED: _not_now, S.ANSWERED: _not_now, S.CLOSED: _not_now},
)


def filing_problem(contract):
    """Why no report can be filed on ``contract``'s project now (Chinese), or None: only a project in execution
    (合同履行中) takes reports."""
    if contract.status != ContractStatus.ACTIVE:
        return (f"该项目当前为{quoted(contract.status.label)}，不在执行期内，不受理随手拍监督报告。"
                "如有问题反映，请联系项目征集页面所列的主办单位。")
    return None


def _title(report):
    return report.contract.award.application.title


def _text(value, field, empty, limit, minimum=1):
    value = (value or "").strip()
    if len(value) < minimum:
        raise SupervisionRefused(empty, field, 400)
    if len(value) > limit:
        raise SupervisionRefused(f"不能超过{limit}个字。", field, 400)
    return value


def _same_report(contract, user, text):
    """The same citizen's same open report on the project (a double-clicked submit): one row, not two."""
    return db.session.scalar(sa.select(SupervisionReport).where(
        SupervisionReport.contract_id == contract.id, SupervisionReport.filed_by_id == user.id,
        SupervisionReport.text == text, SupervisionReport.status.in_(OPEN)).limit(1))


def file_report(contract, user, data, uploads, now):
    """随手拍: the citizen's report on a project in execution, with up to ``MAX_PHOTOS`` photos (werkzeug
    FileStorage objects, each checked and stripped of EXIF/GPS by ``store_photo``). Returns (the report, whether it
    is new): the same text sent twice by the same citizen is the report already filed."""
    lock_row(Contract, contract.id)  # one filing at a time per project: a double click makes one report
    db.session.refresh(contract)
    problem = filing_problem(contract)
    if problem:
        raise SupervisionRefused(problem)
    text = _text(data.text, "text", f"请描述您看到的情况（不少于{TEXT_MIN}个字）。", TEXT_MAX, TEXT_MIN)
    place = (data.place or "").strip() or None
    if place is not None and len(place) > PLACE_MAX:
        raise SupervisionRefused(f"不能超过{PLACE_MAX}个字。", "place", 400)
    uploads = [u for u in uploads if u and u.filename]
    if len(uploads) > MAX_PHOTOS:
        raise SupervisionRefused(f"最多上传{MAX_PHOTOS}张照片，您选择了{len(uploads)}张。", "photos", 400)
    existing = _same_report(contract, user, text)
    if existing is not None:
        return existing, False
    with audit_action("supervision.file"):
        report = SupervisionReport(contract_id=contract.id, filed_by_id=user.id, filed_at=now, text=text,
                                   place=place, status=SupervisionStatus.PENDING)
        db.session.add(report)
        for upload in uploads:
            try:
                stored = store_photo(upload, user)  # EXIF, GPS, time and device removed (core/photos.py)
            except UploadError as e:
                raise SupervisionRefused(f"{quoted(clean_display_name(upload.filename))}：{e}", "photos", 400) from None
            report.photos.append(SupervisionPhoto(file=stored))
        db.session.flush()
    return report, True


def _lock(report):
    """Writers on one report take turns; the report is read again under the lock."""
    lock_row(SupervisionReport, report.id)
    db.session.refresh(report)


def assign(report, officer, assignee, now, link=None, reporter_link=None):
    """分派 (or 改派): the officer who will check the report — the acting officer or another active one. The first
    assignment tells the reporter the report was taken up; the assignee is told unless they assigned themselves."""
    _lock(report)
    step = REPORT.require(officer, report, "assign", now)
    if assignee is None or assignee.role != Role.OFFICER or not assignee.is_active:
        raise SupervisionRefused("请从列表中选择一位在职的项目官员。", "assignee", 400)
    if report.assigned_to_id == assignee.id:
        raise SupervisionRefused(f"该报告已分派给{assignee.name}，无需重复分派。", "assignee", 409)
    first = report.status == SupervisionStatus.PENDING
    with audit_action(REPORT.audit_action(step)):
        report.status = step.target
        report.assigned_to_id, report.assigned_at = assignee.id, now
        if assignee.id != officer.id:
            notify(assignee, "随手拍监督报告待您核查",
                   f"{officer.name}将项目{quoted(_title(report))}的一份随手拍监督报告分派给您核查。", link)
        if first:
            notify(report.filed_by, "您的随手拍监督报告已受理",
                   f"您对项目{quoted(_title(report))}提交的随手拍监督报告已受理，项目官员正在核查。", reporter_link)
        db.session.flush()
    return report


def ask_organization(report, officer, question, now, link=None):
    """请机构答复: the officer asks the project's organization to answer in writing; every active member of it is
    told. Returns how many members were told. The organization never learns who filed the report."""
    _lock(report)
    step = REPORT.require(officer, report, "ask_org", now)
    question = _text(question, "question", "请写明需要机构说明的情况。", QUESTION_MAX)
    with audit_action(REPORT.audit_action(step)):
        report.org_question, report.org_asked_at, report.org_asked_by_id = question, now, officer.id
        told = notify_org(report.contract.award.application.org, "请答复随手拍监督报告",
                          f"项目官员请贵机构就项目{quoted(_title(report))}收到的随手拍监督报告作出书面说明。", link)
        db.session.flush()
    return told


def answer(report, member, text, now, link=None):
    """机构答复: a member of the project's organization answers in writing, once; the officer who handles the report
    (or who asked) is told."""
    _lock(report)
    step = REPORT.require(member, report, "answer", now)
    text = _text(text, "answer", "请填写书面答复。", ANSWER_MAX)
    with audit_action(REPORT.audit_action(step)):
        report.org_answer, report.org_answered_at, report.org_answered_by_id = text, now, member.id
        handler = report.assigned_to or report.org_asked_by
        if handler is not None:
            notify(handler, "承接机构已答复随手拍监督报告",
                   f"{report.contract.award.application.org.name}已就项目{quoted(_title(report))}的随手拍监督报告作出答复。",
                   link)
        db.session.flush()
    return report


def record_finding(report, officer, finding, public_summary, now, link=None):
    """记录核查结论: 属实 / 不属实 / 部分属实 with the summary the project's public page shows (masked there too); the
    reporter is told. The report is then 已答复 and closed to further steps."""
    _lock(report)
    step = REPORT.require(officer, report, "conclude", now)
    if not isinstance(finding, Finding):
        raise SupervisionRefused("请选择核查结论。", "finding", 400)
    summary = _text(public_summary, "public_summary", "请填写向社会公开的处理情况摘要。", SUMMARY_MAX)
    with audit_action(REPORT.audit_action(step)):
        report.status = step.target
        report.finding, report.public_summary = finding, summary
        report.concluded_at, report.concluded_by_id = now, officer.id
        notify(report.filed_by, f"您的随手拍监督报告已办结：{finding.label}",
               f"您对项目{quoted(_title(report))}提交的随手拍监督报告经核查{finding.label}。{mask_text(summary)}", link)
        db.session.flush()
    return report


def close(report, officer, kind, reason, now, link=None):
    """关闭: an abusive or duplicate report, with the reason the reporter is told. Nothing of it is ever public."""
    _lock(report)
    step = REPORT.require(officer, report, "close", now)
    if not isinstance(kind, CloseKind):
        raise SupervisionRefused("请选择关闭原因。", "kind", 400)
    reason = _text(reason, "reason", "请写明关闭的理由，将告知报告人。", CLOSE_REASON_MAX)
    with audit_action(REPORT.audit_action(step)):
        report.status = step.target
        report.close_kind, report.close_reason = kind, reason
        report.closed_at, report.closed_by_id = now, officer.id
        notify(report.filed_by, "您的随手拍监督报告已关闭",
               f"您对项目{quoted(_title(report))}提交的随手拍监督报告已关闭（{kind.label}）。理由：{reason}", link)
        db.session.flush()
    return report
