"""Writes of objections (异议) during 公示: file one, respond to one, decide one (DESIGN.md §4 "公示 and
objections").

Objections are in writing, within the period and never anonymous; the objector's real name and contact
stay confidential (officers and auditors only). The organization objected to is told and may send a written
response (书面答复) until the officer decides; it sees the objection's reason, never who filed it. An upheld
objection cancels the award and, when the call says so, moves the level's first reserve project that fits the
budget up; each change is a new public revision of the results.
"""
import sqlalchemy as sa

from grantportal.awards.models import (
    Award,
    AwardStatus,
    Objection,
    ObjectionFile,
    ObjectionStatus,
    ProposalStatus,
    RevisionKind,
)
from grantportal.awards.proposals.budget import level_budgets, lock_proposal
from grantportal.awards.proposals.publicity import record_revision
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calls.tier_rules import call_rules
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.files import store_upload
from grantportal.core.money import format_wan
from grantportal.core.notices import notify
from grantportal.core.permissions import is_officer
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.orgs.notices import notify_org

MAX_FILES = 5
EVIDENCE_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")


def filing_problem(award, now):
    """Why no objection can be filed against ``award`` now (Chinese), or None."""
    proposal = award.proposal
    if proposal.status != ProposalStatus.PUBLICIZED:
        return "该结果不在公示期内，不受理异议。"
    if now >= proposal.ends_at:
        return f"公示期已于{format_datetime(proposal.ends_at)}结束，不再受理异议。"
    if award.status not in (AwardStatus.SELECTED, AwardStatus.RESERVE):
        return "只能对公示名单中的项目提出异议。"
    return None


def _in_publicity(objection, now=None):
    if objection.award.proposal.status != ProposalStatus.PUBLICIZED:
        return ["结果已确定，不能再处理异议。"]
    return []


def _already_decided(objection):
    return f"该异议已于{format_datetime(objection.decided_at)}处理完毕。"


# 处理异议: an officer upholds or rejects an objection while the results are in 公示.
OBJECTION = StateMachine(
    "objection", "status", ObjectionStatus, final=frozenset({ObjectionStatus.UPHELD, ObjectionStatus.REJECTED}),
    refusal=AwardRefused, blocked="{problems}",
    transitions=(
        Transition("uphold", frozenset({ObjectionStatus.RECEIVED}), ObjectionStatus.UPHELD, "认定异议成立", "项目官员",
                   is_officer, _in_publicity, audit="objection.decide"),
        Transition("reject", frozenset({ObjectionStatus.RECEIVED}), ObjectionStatus.REJECTED, "认定异议不成立",
                   "项目官员", is_officer, _in_publicity, audit="objection.decide"),
    ),
    not_allowed={ObjectionStatus.UPHELD: _already_decided, ObjectionStatus.REJECTED: _already_decided},
)


def file_objection(award, user, now, real_name, contact, reason, uploads=(), link=None, response_link=None):
    """提出异议. ``uploads`` are werkzeug FileStorage objects (evidence: PDF or images, at most 5). The call's
    officer is told (``link``: the call's objections) and so is the organization objected to
    (``response_link``: objection → the address where it may respond)."""
    problem = filing_problem(award, now)
    if problem:
        raise AwardRefused(problem)
    real_name, contact, reason = (real_name or "").strip(), (contact or "").strip(), (reason or "").strip()
    if not real_name:
        raise AwardRefused("请填写真实姓名。异议须实名提出，姓名不会公开。", "real_name", 400)
    if not contact:
        raise AwardRefused("请填写联系方式，以便告知处理结果。", "contact", 400)
    if len(reason) < 10:
        raise AwardRefused("请写明异议的事实和理由（不少于10个字）。", "reason", 400)
    uploads = [u for u in uploads if u and u.filename]
    if len(uploads) > MAX_FILES:
        raise AwardRefused(f"证明材料最多上传{MAX_FILES}个文件。", "evidence", 400)
    with audit_action("objection.file"):
        objection = Objection(award=award, filed_by_id=user.id, filed_at=now, real_name=real_name,
                              contact=contact, reason=reason)
        for upload in uploads:
            objection.files.append(ObjectionFile(file=store_upload(upload, user, EVIDENCE_EXTENSIONS)))
        db.session.add(objection)
        db.session.flush()
        call = award.proposal.call
        if call.created_by is not None:
            notify(call.created_by, f"{call.title}公示收到异议",
                   f"有人对{quoted(award.application.title)}提出异议，请在公示期内调查处理。", link=link)
        notify_org(award.application.org, "您的项目在公示期间收到异议",
                   f"{quoted(award.application.title)}在{call.title}的结果公示期间收到一份异议。项目官员作出处理决定前，"
                   f"贵机构可以提交书面答复，说明有关情况。",
                   link=response_link(objection) if response_link else None)
    return objection


RESPONSE_MAX = 5000


def response_problem(objection):
    """Why the organization cannot respond to ``objection`` now (Chinese), or None."""
    if not objection.is_open:
        return f"该异议已于{format_datetime(objection.decided_at)}处理完毕，不再接收书面答复。"
    if objection.award.proposal.status != ProposalStatus.PUBLICIZED:
        return "结果已确定，不再接收书面答复。"
    return None


def respond(objection, user, now, text, link=None):
    """书面答复: the organization's written response to an open objection, sent again to replace it until
    the officer decides. The call's officer is told."""
    lock_proposal(objection.award.proposal)
    db.session.refresh(objection)
    problem = response_problem(objection)
    if problem:
        raise AwardRefused(problem)
    text = (text or "").strip()
    if len(text) < 10:
        raise AwardRefused("请写明答复的内容（不少于10个字）。", "response", 400)
    if len(text) > RESPONSE_MAX:
        raise AwardRefused(f"答复不能超过{RESPONSE_MAX}字。", "response", 400)
    again = objection.response is not None
    with audit_action("objection.respond"):
        objection.response, objection.responded_at, objection.responded_by_id = text, now, user.id
        call = objection.award.proposal.call
        if call.created_by is not None:
            notify(call.created_by, f"{call.title}异议收到书面答复",
                   f"{objection.award.application.org.name}对{quoted(objection.award.application.title)}所受异议"
                   f"{'更新了' if again else '提交了'}书面答复，请在处理时一并考虑。", link=link)
        db.session.flush()
    return objection


def decide(objection, officer, now, upheld, investigation, public_summary):
    """处理异议: record the investigation and the outcome. Upheld: the award is cancelled and, per the
    call's rule, the level's first reserve that fits the budget moves up."""
    proposal = lock_proposal(objection.award.proposal)
    db.session.refresh(objection)
    step = OBJECTION.require(officer, objection, "uphold" if upheld else "reject", now)
    investigation, public_summary = (investigation or "").strip(), (public_summary or "").strip()
    if not investigation:
        raise AwardRefused("请填写调查核实情况。", "investigation", 400)
    if not public_summary:
        raise AwardRefused("请填写向社会公开的处理结果摘要。", "public_summary", 400)
    award = objection.award
    with audit_action(OBJECTION.audit_action(step)):
        objection.status = step.target
        objection.investigation, objection.public_summary = investigation, public_summary
        objection.decided_at, objection.decided_by_id = now, officer.id
        if upheld and award.status != AwardStatus.CANCELLED:
            was_selected = award.status == AwardStatus.SELECTED
            award.status = AwardStatus.CANCELLED
            award.explanation = [*award.explanation, f"{format_datetime(now)} 异议成立，取消入选资格。"]
            db.session.flush()
            summary = f"异议成立：取消{quoted(award.application.title)}（{award.application.org.name}）的入选资格。"
            moved = _promote_reserve(proposal, award, now) if was_selected and proposal.call.promote_reserve else None
            if moved is not None:
                summary += (f"{moved.level.label}候补项目{quoted(moved.application.title)}"
                            f"（{moved.application.org.name}）递补入选，拟资助{format_wan(moved.amount)}。")
            record_revision(proposal, RevisionKind.CHANGED, now, summary)
        filer = objection.filed_by
        notify(filer, "您提出的异议已处理",
               f"您对{quoted(award.application.title)}提出的异议处理结果：{objection.status.label}。{public_summary}")
        db.session.flush()
    return objection


def _promote_reserve(proposal, cancelled, now):
    """The first reserve of the cancelled award's level (by reserve position) whose amount fits."""
    budget = level_budgets(proposal.call, call_rules(proposal.call), proposal)[cancelled.level]
    reserves = db.session.scalars(sa.select(Award).where(
        Award.proposal_id == proposal.id, Award.level == cancelled.level, Award.status == AwardStatus.RESERVE)
        .order_by(Award.reserve_position, Award.rank)).all()
    for reserve in reserves:
        if reserve.amount <= budget.room_for(reserve.grade) and reserve.amount > 0:
            reserve.status, reserve.reserve_position = AwardStatus.SELECTED, None
            reserve.explanation = [*reserve.explanation,
                                   f"{format_datetime(now)} 因{quoted(cancelled.application.title)}"
                                   f"被取消入选资格，递补入选，拟资助{format_wan(reserve.amount)}。"]
            _renumber_reserves([r for r in reserves if r is not reserve], now)
            return reserve
    return None


def _renumber_reserves(reserves, now):
    """The reserves left in a level, numbered again from 1 in their order (no 候补第2位 without a 第1位)."""
    for position, reserve in enumerate(reserves, 1):
        if reserve.reserve_position != position:
            reserve.reserve_position = position
            reserve.explanation = [*reserve.explanation,
                                   f"{format_datetime(now)} 前序候补项目递补入选，候补顺序调整为第{position}位。"]
