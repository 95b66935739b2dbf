"""递补 after the final result (issue 14: "reserve projects can be promoted after the final result, with a new
notice").

When a finally selected project drops out before its contract is in force — the organization withdraws (放弃入选)
or its contract is not signed and is terminated (合同签订前终止) — the officer records it with the reason, and the
first reserve (候补) of the same level, in reserve order then rank, whose amount fits the level's budget moves up
(the same budget rule as during 公示, ``objections.operations.decide``):

- the project that dropped out: 已撤销 / 未入选, its final reason saying why and when;
- the reserve: 入选 with its amount, the reserves behind it numbered again from 1;
- the results page shows a dated 递补 note (a ``ResultsRevision`` of kind 递补, with the rows as they are now);
- both organizations are told in the inbox; everything under one audit action (``award.promote``).

A project whose signed contract is confirmed (in force) cannot drop out this way: the contract is terminated on
the funding pages instead. Awards sits below documents and funding, so it announces what happened and they
follow in the same transaction (``core.signals.award_withdrawn``, once the reserve is known: funding terminates a
contract not yet in force, documents marks the project's 入选通知书 and contract 已失效 with a public reason;
``core.signals.reserve_promoted``: documents ends the promoted project's 未入选告知书 and issues its new 入选通知书).
A refusal by either vetoes the whole step (nothing saved).
"""
from enum import Enum

import sqlalchemy as sa

from grantportal.awards.models import Award, AwardStatus, FinalStatus, ProposalStatus, RevisionKind
from grantportal.awards.proposals.budget import level_budgets, lock_proposal
from grantportal.awards.proposals.publicity import record_revision
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calls.tier_rules import call_rules
from grantportal.core import signals
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.money import format_wan
from grantportal.core.notices import notify
from grantportal.core.timeutil import format_date, format_datetime
from grantportal.core.wording import quoted

REASON_MIN, REASON_MAX = 5, 500


class DropCause(Enum):
    WITHDREW = "withdrew", "承接机构放弃入选"
    UNSIGNED = "unsigned", "合同签订前终止"

    def __new__(cls, value, label):
        obj = object.__new__(cls)
        obj._value_ = value
        obj.label = label
        return obj


def drop_problem(award):
    """Why ``award`` cannot be recorded as dropped out now, or None."""
    if award.proposal.status != ProposalStatus.FINAL:
        return "评审结果尚未最终确定。公示期间的变更须通过异议处理。"
    if award.final_status != FinalStatus.SELECTED:
        return "只有最终入选的项目才能登记放弃入选或合同签订前终止。"
    contract = signals.ask(signals.award_contract, award)
    if contract is not None and contract.confirmed_at is not None:
        return "该项目的合同已签订生效，不能按递补处理；如需终止，请在合同页面办理合同终止。"
    return None


def next_reserve(proposal, level, exclude_id=None):
    """The reserves of ``level`` in order (reserve position, then rank)."""
    return db.session.scalars(sa.select(Award).where(
        Award.proposal_id == proposal.id, Award.level == level, Award.final_status == FinalStatus.RESERVE,
        Award.id != (exclude_id or 0))
        .order_by(Award.reserve_position, Award.rank, Award.id)).all()


def _members(award):
    return [m.user for m in award.application.org.members if m.user.is_active]


def drop_and_promote(award, officer, cause, reason, now, link_for=None):
    """Record that the selected ``award`` dropped out (``cause``, ``reason``) and promote the level's first
    reserve that fits. Returns the promoted award, or None when no reserve fits (the drop is recorded all the
    same and the note says so)."""
    proposal = lock_proposal(award.proposal)
    db.session.refresh(award)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise AwardRefused(f"请写明原因（不少于{REASON_MIN}个字）。", "reason", 400)
    if len(reason) > REASON_MAX:
        raise AwardRefused(f"原因不能超过{REASON_MAX}个字。", "reason", 400)
    problem = drop_problem(award)
    if problem:
        raise AwardRefused(problem, None, 409)
    app = award.application
    when = format_datetime(now)
    with audit_action("award.promote"):
        award.status, award.final_status = AwardStatus.CANCELLED, FinalStatus.NOT_SELECTED
        award.final_reason = f"{format_date(now)} {cause.label}：{reason}"
        award.explanation = [*award.explanation, f"{when} {cause.label}，取消入选资格：{reason}"]
        db.session.flush()
        promoted = _promote(proposal, award, now)
        db.session.flush()
        signals.announce(signals.award_withdrawn, award, user=officer, reason=f"{cause.label}：{reason}",
                         cause=cause, at=now, promoted=promoted)
        summary = f"{format_date(now)}，{award.level.label}入选项目{quoted(app.title)}（{app.org.name}）{cause.label}。"
        if promoted is not None:
            papp = promoted.application
            summary += (f"{promoted.level.label}候补项目{quoted(papp.title)}（{papp.org.name}）按候补顺序递补入选，"
                        f"资助{format_wan(promoted.amount)}。")
        else:
            summary += f"{award.level.label}没有预算内可递补的候补项目，本次未递补。"
        record_revision(proposal, RevisionKind.PROMOTED, now, summary)
        for member in _members(award):
            notify(member, f"{proposal.call.title}：入选资格已取消",
                   f"您机构申报的{quoted(app.title)}已登记为{cause.label}，入选资格取消：{reason}",
                   link=link_for(award) if link_for else None)
        if promoted is not None:
            for member in _members(promoted):
                notify(member, f"{proposal.call.title}：递补入选",
                       f"您机构申报的{quoted(promoted.application.title)}按候补顺序递补入选，资助"
                       f"{format_wan(promoted.amount)}。入选通知书将另行出具，请按通知书载明的期限签订合同。",
                       link=link_for(promoted) if link_for else None)
        db.session.flush()
        if promoted is not None:
            signals.announce(signals.reserve_promoted, promoted, user=officer, at=now)
    return promoted


def _promote(proposal, dropped, now):
    """The first reserve of the dropped award's level (reserve order, then rank) whose amount fits the level's
    budget now; the reserves behind it renumbered from 1."""
    budget = level_budgets(proposal.call, call_rules(proposal.call), proposal)[dropped.level]
    reserves = next_reserve(proposal, dropped.level)
    for reserve in reserves:
        if 0 < reserve.amount <= budget.room_for(reserve.grade):
            reserve.status, reserve.final_status, reserve.reserve_position = \
                AwardStatus.SELECTED, FinalStatus.SELECTED, None
            reserve.final_reason = (f"{format_date(now)} 因{quoted(dropped.application.title)}取消入选资格，按候补顺序"
                                    f"递补入选，资助{format_wan(reserve.amount)}。")
            reserve.explanation = [*reserve.explanation, f"{format_datetime(now)} 递补入选，资助"
                                   f"{format_wan(reserve.amount)}。"]
            for position, left in enumerate((r for r in reserves if r is not reserve), 1):
                if left.reserve_position != position:
                    left.reserve_position = position
                    left.final_reason = (f"列为{left.level.label}候补第{position}位（{format_date(now)}前序候补递补"
                                         "入选后调整）；如有入选项目放弃或被取消，按顺序递补。")
            return reserve
    return None
