"""Writes of the draft proposal: generate it, adjust it, change the call's result settings (all refused once
the proposal is published).

Each takes the objects and the acting user, flushes under a named audit action and never commits; the
request commits once. Every write that changes a selected amount locks the proposal row first
(``budget.lock_proposal``) and checks the level budgets after the lock, so the budget is never
over-allocated, not even by two officers at the same moment. The steps of 公示 are in ``publicity.py``;
the reads these share are in ``queries.py``.
"""
import sqlalchemy as sa

from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.applications.queries import valid_responses
from grantportal.awards.models import (
    Award,
    AwardStatus,
    Proposal,
    ProposalStatus,
)
from grantportal.awards.proposals.budget import level_budgets, lock_proposal, uses_reserve
from grantportal.awards.proposals.queries import proposal_of
from grantportal.awards.proposals.ranking import final_ranking
from grantportal.awards.proposals.settings import check_result_settings
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calls.methods import responses_problem
from grantportal.calls.models import Call
from grantportal.calls.tier_rules import call_rules, grant_cap, meets_min_grade
from grantportal.core.audit import audit_action, delete_rows, insert_rows
from grantportal.core.db import ZERO, db, lock_row
from grantportal.core.money import format_wan
from grantportal.core.timeutil import format_date, format_datetime
from grantportal.orgs.models import Grade

REGENERATED = "拟资助方案已被其他项目官员重新生成，本次调整未保存。请刷新页面，在新方案中核对后重新调整。"


# --- generate -----------------------------------------------------------------------------------

def _unranked_reason(app):
    if app.screening == Screening.FAILED:
        return "资格审查未通过，不参与排名。"
    return "没有已提交的评审得分，不参与排名。"


def _award(proposal, app, level, status, requested, cap, amount, lines, rank=None, final_score=None,
           bonus=ZERO, grade=None, reserve_position=None):
    """One award row for ``audit.insert_rows``: every column but the id."""
    return {"proposal_id": proposal.id, "application_id": app.id, "level": level, "rank": rank,
            "final_score": final_score, "bonus": bonus, "grade": grade, "requested": requested, "cap": cap,
            "amount": amount, "status": status, "reserve_position": reserve_position, "explanation": lines,
            "adjust_reason": None, "adjusted_at": None, "adjusted_by_id": None, "final_status": None,
            "final_reason": None}


def generate(call, user, now):
    """生成拟资助方案: in each level, in ranking order, fund every application whose capped request fits
    the level's remaining budget (organizations below 3A only within the part not reserved for 3A+);
    the next ``call.reserve_per_level`` that do not fit become reserve (候补), the rest 未入选.
    Regenerating replaces a draft proposal; once published it cannot be regenerated. Officers generating
    at the same moment take turns on the call's row, so the second one regenerates the first's proposal
    instead of creating a second one.

    The awards are written in bulk (``audit.insert_rows``; a regenerated proposal's old ones removed with
    ``audit.delete_rows``), each with its own audit entry as if flushed one by one: 10,000 applications make
    10,000 rows and 10,000 entries in a few statements instead of 10,000 ORM objects."""
    lock_row(Call, call.id)
    proposal = proposal_of(call)
    if proposal is not None:
        proposal = lock_proposal(proposal)
        if proposal.status != ProposalStatus.DRAFT:
            raise AwardRefused("拟资助方案已发布公示，不能重新生成。")
    too_few = responses_problem(call, valid_responses(call))  # competitive methods (calls.methods)
    if too_few:
        raise AwardRefused(too_few)
    ranking = final_ranking(call)
    if not any(ranking.by_level.values()):
        raise AwardRefused("还没有任何评审得分，不能生成拟资助方案。请先完成专家评审。")
    with audit_action("proposal.generate"):
        if proposal is None:
            proposal = Proposal(call=call, generated_by_id=user.id, generated_at=now)
            db.session.add(proposal)
        else:
            proposal.generated_at, proposal.generated_by_id = now, user.id
        db.session.flush()
        delete_rows(Award, Award.proposal_id == proposal.id)
        apps = {a.id: a for a in db.session.execute(
            sa.select(Application.id, Application.level, Application.requested_amount, Application.screening)
            .where(Application.call_id == call.id, Application.status == AppStatus.SUBMITTED))}
        budgets = level_budgets(call, ranking.rules)
        explanations = {}  # the standing's sentences, by the rules' effects and the matched amount
        rows = []
        for level, items in ranking.by_level.items():
            budget = budgets.get(level)
            reserves = 0
            skipped = []  # ranks of projects above that did not fit the budget left at their turn
            for item in items:
                app = apps[item.application_id]
                standing = ranking.standings[app.id]
                grade = standing.grade_value
                cap = min(app.requested_amount, grant_cap(ranking.rules, standing.grade,
                                                          budget.max_grant if budget else app.requested_amount))
                said = (id(standing.effects), standing.matched_amount)
                if said not in explanations:
                    explanations[said] = (standing.effects, standing.explanation(call))
                lines = list(explanations[said][1])
                lines.append(f"最终得分{item.final}分（含加分{item.bonus}分），在{level.label}排名第{item.rank}位。")
                status, amount, reserve_position = None, cap, None
                room = budget.room_for(grade) if budget else ZERO
                # only the open part counts for organizations below 3A when the call reserves a share
                open_only = budget is not None and budget.reserved > 0 and not uses_reserve(grade)
                if not meets_min_grade(ranking.rules, standing.grade):  # e.g. the grade was revoked after applying
                    status, amount = AwardStatus.NOT_SELECTED, ZERO
                    lines.append(f"评估等级不符合{ranking.rules.min_grade.label}及以上的申报要求"
                                 f"（以{format_date(call.reference_date)}为准），未入选。")
                elif budget is not None and ZERO < cap <= room:
                    status = AwardStatus.SELECTED
                    from_reserved = budget.reserved > 0 and uses_reserve(grade) and cap > budget.open_remaining
                    part = "3A以下组织可用的剩余预算" if open_only else "剩余可用预算"
                    budget.add(grade, cap)
                    lines.append(_amount_note(app.requested_amount, cap) + f"拟资助{format_wan(cap)}"
                                 + ("，使用了为3A及以上组织预留的预算。" if from_reserved else "。"))
                    lines.append(f"安排前本级别{part}{format_wan(room)}，资助上限{format_wan(cap)}，"
                                 f"安排后剩余{format_wan(budget.room_for(grade))}。")
                    if skipped:
                        lines.append(f"排名在前的第{'、'.join(str(r) for r in skipped)}位项目所需金额超出当时的"
                                     f"剩余预算，未获资助；本项目金额{format_wan(cap)}在剩余预算之内，按排名顺序入选。")
                elif reserves < call.reserve_per_level:
                    reserves += 1
                    skipped.append(item.rank)
                    status, reserve_position = AwardStatus.RESERVE, reserves
                    part = "3A以下组织可用的剩余预算" if open_only else "剩余可用预算"
                    lines.append(f"本级别{part}{format_wan(max(room, ZERO))}，不足以资助本项目"
                                 f"（{format_wan(cap)}），列为候补第{reserves}位。")
                else:
                    skipped.append(item.rank)
                    status, amount = AwardStatus.NOT_SELECTED, ZERO
                    if room <= ZERO:
                        lines.append("本级别预算已分配完毕，候补名额已满，未入选。")
                    else:  # money is left, only not enough for this project: say how much
                        part = "3A以下组织可用的剩余预算" if open_only else "剩余可用预算"
                        lines.append(f"本级别{part}{format_wan(room)}，不足以资助本项目（资助上限{format_wan(cap)}）；"
                                     f"候补名额（{call.reserve_per_level}个）已满，未入选。")
                rows.append(_award(proposal, app, level, status, app.requested_amount, cap, amount, lines,
                                   rank=item.rank, final_score=item.final, bonus=item.bonus, grade=grade,
                                   reserve_position=reserve_position))
        ranked = {i.application_id for items in ranking.by_level.values() for i in items}
        for app in apps.values():
            if app.id not in ranked:
                rows.append(_award(proposal, app, app.level, AwardStatus.NOT_SELECTED, app.requested_amount, ZERO,
                                   ZERO, [_unranked_reason(app)]))
        insert_rows(Award, rows, key="application_id")
    db.session.expire(proposal, ["awards"])
    return proposal


def _amount_note(requested, cap):
    if cap < requested:
        return f"申请{format_wan(requested)}，受资助上限{format_wan(cap)}限制，"
    return f"申请{format_wan(requested)}，"


# --- adjust -------------------------------------------------------------------------------------

def adjust(award, user, status, amount, reason, now, reserve_position=None):
    """调整: the officer changes an award's status and amount, with a reason. The amount is never above
    the request or the cap, and a selected amount always fits the level's remaining budget."""
    award_id = award.id
    proposal = lock_proposal(award.proposal)
    if proposal.status != ProposalStatus.DRAFT:
        raise AwardRefused("方案已发布公示，不能再调整。公示期间的变更须通过异议处理。")
    # read afresh under the lock: another officer may have regenerated the proposal (the award is gone)
    award = db.session.scalar(sa.select(Award).where(Award.id == award_id)
                              .execution_options(populate_existing=True))
    if award is None:
        raise AwardRefused(REGENERATED, status=409)
    reason = (reason or "").strip()
    if not reason:
        raise AwardRefused("请填写调整理由。", "reason", 400)
    if status not in (AwardStatus.SELECTED, AwardStatus.RESERVE, AwardStatus.NOT_SELECTED):
        raise AwardRefused("请选择入选状态。", "status", 400)
    if award.rank is None and status != AwardStatus.NOT_SELECTED:
        raise AwardRefused("该申报没有评审得分，只能列为未入选。", "status", 400)
    rules = call_rules(proposal.call)
    grade = Grade(award.grade) if award.grade else None
    if status != AwardStatus.NOT_SELECTED and not meets_min_grade(rules, grade):
        raise AwardRefused(f"该机构的评估等级不符合{rules.min_grade.label}及以上的申报要求，只能列为未入选。",
                           "status", 400)
    amount = ZERO if status == AwardStatus.NOT_SELECTED else amount
    if status != AwardStatus.NOT_SELECTED:
        if amount is None or amount <= ZERO:
            raise AwardRefused("请填写大于0的资助金额。", "amount", 400)
        if amount > award.requested:
            raise AwardRefused(f"资助金额不能超过申请金额{format_wan(award.requested)}。", "amount", 400)
        if amount > award.cap:
            raise AwardRefused(f"资助金额不能超过该项目的资助上限{format_wan(award.cap)}。", "amount", 400)
    if status == AwardStatus.SELECTED:
        budget = level_budgets(proposal.call, rules, proposal, exclude_award_id=award.id)[award.level]
        room = budget.room_for(award.grade)
        if amount > room:
            open_only = not uses_reserve(award.grade) and budget.open_remaining < budget.remaining
            what = "3A以下组织可用的剩余预算" if open_only else "本级别剩余预算"
            raise AwardRefused(f"超出{what}：最多还可安排{format_wan(max(room, ZERO))}。", "amount", 409)
    with audit_action("award.adjust"):
        award.status, award.amount = status, amount
        award.reserve_position = (reserve_position or _next_reserve(proposal, award)) \
            if status == AwardStatus.RESERVE else None
        award.adjust_reason, award.adjusted_at, award.adjusted_by_id = reason, now, user.id
        award.explanation = [*award.explanation, f"{format_datetime(now)} 项目官员调整为{status.label}"
                             + (f"，{format_wan(amount)}" if status != AwardStatus.NOT_SELECTED else "")
                             + f"。理由：{reason}"]
        db.session.flush()
    return award


def _next_reserve(proposal, award):
    taken = db.session.scalar(sa.select(sa.func.max(Award.reserve_position)).where(
        Award.proposal_id == proposal.id, Award.level == award.level, Award.status == AwardStatus.RESERVE,
        Award.id != award.id))
    return (taken or 0) + 1


# --- result settings ----------------------------------------------------------------------------

def update_result_settings(call, user, settings):
    """结果设置: the call's tier rules, matched-funds bonus, reserve places, 公示 length and what the
    results page publishes. Refused once the proposal is published (the public results follow them)."""
    proposal = proposal_of(call)
    if proposal is not None:
        proposal = lock_proposal(proposal)
        if proposal.status != ProposalStatus.DRAFT:
            raise AwardRefused("拟资助方案已发布公示，结果设置不能再修改。")
    check_result_settings(settings)
    rules = settings.tier_rules.to_dict()
    rules.pop("min_grade", None)
    with audit_action("call.result_settings"):
        call.tier_rules = rules
        for name in ("matched_bonus_per_wan", "matched_bonus_cap", "reserve_per_level", "publicity_days",
                     "publish_scores", "publish_panel", "promote_reserve"):
            value = getattr(settings, name)
            if getattr(call, name) != value:
                setattr(call, name, value)
        db.session.flush()
    return call
