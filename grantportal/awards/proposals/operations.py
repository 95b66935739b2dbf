"""Writes of award decisions: generate the proposal, adjust it, publish it for 公示, confirm the final results.

Each takes the objects and the acting user, flushes under a named audit action and never commits; the
request commits once. Every write that changes a selected amount locks the proposal row first
(``budget.lock_proposal``) and checks the level budgets after the lock, so the budget is never
over-allocated, not even by two officers at the same moment.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.applications.operations import stamp_results_published
from grantportal.awards.models import (
    Award,
    AwardStatus,
    FinalStatus,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalStatus,
    ResultsRevision,
    RevisionKind,
)
from grantportal.awards.proposals.budget import level_budgets, lock_proposal, uses_reserve
from grantportal.awards.proposals.ranking import final_ranking
from grantportal.calendar.queries import confirmed_publicity_end
from grantportal.calls.models import Call
from grantportal.calls.tier_rules import TierRules, call_rules, grant_cap, meets_min_grade
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.errors import Refused
from grantportal.core.money import format_wan
from grantportal.core.notices import notify
from grantportal.core.permissions import is_officer
from grantportal.core.timeutil import format_date, format_datetime
from grantportal.core.workdays import UnconfirmedYear
from grantportal.core.workflow import StateMachine, Transition
from grantportal.orgs.models import Grade
from grantportal.orgs.notices import notify_org
from grantportal.review.models import Assignment, Review, ReviewStatus, RoundStatus
from grantportal.review.results.aggregate import scored_rounds

ZERO = Decimal("0.00")
CENT = Decimal("0.01")  # Award.final_score is Numeric(7, 2)
MAX_PUBLICITY_DAYS = 30


class AwardRefused(Refused):
    """An operation on awards refused (``core.errors.Refused``: message, field, status)."""


def proposal_of(call):
    return db.session.scalar(sa.select(Proposal).where(Proposal.call_id == call.id))


# --- generate -----------------------------------------------------------------------------------

def _unranked_reason(app):
    if app.screening == Screening.FAILED:
        return "资格审查未通过，不参与排名。"
    return "没有已提交的评审得分，不参与排名。"


def generate(call, user, now):
    """生成拟资助方案: in each level, in ranking order, fund every application whose capped request fits
    the level's remaining budget (organizations below 3A only within the part not reserved for 3A+);
    the next ``call.reserve_per_level`` that do not fit become reserve (候补), the rest 未入选.
    Regenerating replaces a draft proposal; once published it cannot be regenerated. Officers generating
    at the same moment take turns on the call's row, so the second one regenerates the first's proposal
    instead of creating a second one."""
    lock_row(Call, call.id)
    proposal = proposal_of(call)
    if proposal is not None:
        proposal = lock_proposal(proposal)
        if proposal.status != ProposalStatus.DRAFT:
            raise AwardRefused("拟资助方案已发布公示，不能重新生成。")
    ranking = final_ranking(call)
    if not any(ranking.by_level.values()):
        raise AwardRefused("还没有任何评审得分，不能生成拟资助方案。请先完成专家评审。")
    with audit_action("proposal.generate"):
        if proposal is None:
            proposal = Proposal(call=call, generated_by_id=user.id, generated_at=now)
            db.session.add(proposal)
        else:
            proposal.generated_at, proposal.generated_by_id = now, user.id
            for award in list(proposal.awards):
                db.session.delete(award)
        db.session.flush()
        apps = {a.id: a for a in db.session.scalars(
            sa.select(Application).where(Application.call_id == call.id, Application.status == AppStatus.SUBMITTED))}
        budgets = level_budgets(call, ranking.rules)
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
                lines = standing.explanation(call)
                lines.append(f"最终得分{item.final}分（含加分{item.bonus}分），在{level.label}排名第{item.rank}位。")
                award = Award(proposal=proposal, application_id=app.id, level=level, rank=item.rank,
                              final_score=item.final, bonus=item.bonus, grade=grade, requested=app.requested_amount,
                              cap=cap, amount=cap, explanation=lines)
                room = budget.room_for(grade) if budget else ZERO
                # only the open part counts for organizations below 3A when the call reserves a share
                open_only = budget is not None and budget.reserved > 0 and not uses_reserve(grade)
                if not meets_min_grade(ranking.rules, standing.grade):  # e.g. the grade was revoked after applying
                    award.status, award.amount = AwardStatus.NOT_SELECTED, ZERO
                    lines.append(f"评估等级不符合{ranking.rules.min_grade.label}及以上的申报要求"
                                 f"（以{format_date(call.reference_date)}为准），未入选。")
                elif budget is not None and ZERO < cap <= room:
                    award.status = AwardStatus.SELECTED
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
                    award.status, award.reserve_position = AwardStatus.RESERVE, reserves
                    part = "3A以下组织可用的剩余预算" if open_only else "剩余可用预算"
                    lines.append(f"本级别{part}{format_wan(max(room, ZERO))}，不足以资助本项目"
                                 f"（{format_wan(cap)}），列为候补第{reserves}位。")
                else:
                    skipped.append(item.rank)
                    award.status, award.amount = AwardStatus.NOT_SELECTED, ZERO
                    if room <= ZERO:
                        lines.append("本级别预算已分配完毕，候补名额已满，未入选。")
                    else:  # money is left, only not enough for this project: say how much
                        part = "3A以下组织可用的剩余预算" if open_only else "剩余可用预算"
                        lines.append(f"本级别{part}{format_wan(room)}，不足以资助本项目（资助上限{format_wan(cap)}）；"
                                     f"候补名额（{call.reserve_per_level}个）已满，未入选。")
                db.session.add(award)
        ranked = {i.application_id for items in ranking.by_level.values() for i in items}
        for app in apps.values():
            if app.id not in ranked:
                db.session.add(Award(proposal=proposal, application_id=app.id, level=app.level,
                                     requested=app.requested_amount, cap=ZERO, amount=ZERO,
                                     status=AwardStatus.NOT_SELECTED, explanation=[_unranked_reason(app)]))
        db.session.flush()
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


# --- publish ------------------------------------------------------------------------------------

def missing_reviews(call):
    """How many active assignments in the call's scored rounds have no submitted review."""
    round_ids = [r.id for r in scored_rounds(call)]
    if not round_ids:
        return 0
    submitted = sa.select(Review.assignment_id).where(Review.status == ReviewStatus.SUBMITTED)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.round_id.in_(round_ids), Assignment.active.is_(True), Assignment.id.not_in(submitted)))


def publish_problem(proposal, call):
    if proposal.status != ProposalStatus.DRAFT:
        return _already_published(proposal)
    problems = _publish_guard(proposal)
    return problems[0] if problems else None


def _already_published(proposal):
    return f"方案已于{format_datetime(proposal.published_at)}发布公示。"


def _publish_guard(proposal, now=None):
    """What keeps a draft proposal from 公示 (one sentence at most): the application deadline not past,
    applications still to screen, a scoring round not closed, reviews missing (excluded ones do not count),
    no selected project, or scores and ranking changed since the proposal was generated."""
    call = proposal.call
    now = now or utcnow()
    if call.deadline is None or call.deadline > now:
        when = f"（{format_datetime(call.deadline)}）" if call.deadline else ""
        return [f"申报截止时间{when}尚未到，截止后才能发布公示。"]
    pending = unscreened(call)
    if pending:
        return [f"还有{pending}个已提交的申报尚未完成资格审查，全部审查后才能发布公示。"]
    open_rounds = [r.name for r in scored_rounds(call) if r.status != RoundStatus.CLOSED]
    if open_rounds:
        return [f"评审轮次“{'”“'.join(open_rounds)}”尚未结束，全部评审轮次结束后才能发布公示。"]
    missing = missing_reviews(call)
    if missing:
        return [f"还有{missing}份专家评审未提交，全部评审完成后才能发布公示。"]
    if not any(a.status == AwardStatus.SELECTED for a in proposal.awards):
        return ["方案中没有拟入选项目，不能发布公示。"]
    changes = score_changes(proposal)
    if changes:
        return [f"生成方案后评审得分或排名已变化（{_changes_words(changes)}），请重新生成拟资助方案后再发布公示。"]
    return []


REGENERATED = "拟资助方案已被其他项目官员重新生成，本次调整未保存。请刷新页面，在新方案中核对后重新调整。"


def unscreened(call):
    """How many submitted applications of the call still wait for eligibility screening."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.call_id == call.id, Application.status == AppStatus.SUBMITTED,
        Application.screening == Screening.PENDING))


@dataclass
class ScoreChange:
    """One award whose score or rank differs from what the ranking says now."""

    award: Award
    score: Decimal | None  # now
    rank: int | None  # now

    def words(self):
        before = f"{self.award.final_score}分、第{self.award.rank}位" if self.award.rank else "未排名"
        after = f"{self.score}分、第{self.rank}位" if self.rank else "未排名"
        return f"{self.award.application.display_number}：{before}→{after}"


def score_changes(proposal, ranking=None):
    """The awards whose final score or rank in its level is no longer what the call's ranking gives now
    (e.g. a review reopened, or a late conflict removed an expert's score), in level and rank order."""
    ranking = ranking or final_ranking(proposal.call)
    now = {i.application_id: i for items in ranking.by_level.values() for i in items}
    changes = []
    for award in proposal.awards:
        item = now.get(award.application_id)
        score, rank = (item.final.quantize(CENT), item.rank) if item else (None, None)
        if award.status == AwardStatus.CANCELLED:
            continue
        if (award.rank, award.final_score) != (rank, score):
            changes.append(ScoreChange(award, score, rank))
    return changes


def _changes_words(changes, limit=3):
    shown = "；".join(c.words() for c in changes[:limit])
    return shown + (f"等{len(changes)}项" if len(changes) > limit else "")


def publish(proposal, user, now, days):
    """发布公示: the public results page opens, objections may be filed until ``ends_at`` — ``days``
    Chinese working days after today, at 17:00 Beijing time."""
    proposal = lock_proposal(proposal)
    step = PROPOSAL.require(user, proposal, "publish", now)
    if not (1 <= days <= MAX_PUBLICITY_DAYS):
        raise AwardRefused(f"公示期须为1至{MAX_PUBLICITY_DAYS}个工作日。", "days", 400)
    try:  # counted on the years an officer confirmed from the State Council's notice (grantportal/calendar)
        ends_at = confirmed_publicity_end(now, days)
    except UnconfirmedYear as e:
        raise AwardRefused(e.message, "days", 409) from None
    with audit_action(PROPOSAL.audit_action(step)):
        proposal.status, proposal.published_at, proposal.published_by_id = step.target, now, user.id
        proposal.publicity_days, proposal.ends_at = days, ends_at
        proposal.calendar_warning = None  # counted on confirmed years only: nothing was guessed
        stamp_results_published([a.application_id for a in proposal.awards], now)
        selected = sum(1 for a in proposal.awards if a.status == AwardStatus.SELECTED)
        _revision(proposal, RevisionKind.PUBLISHED, now,
                  f"发布拟资助项目公示，共{selected}个拟入选项目，公示{days}个工作日，"
                  f"至{format_datetime(ends_at)}止。")
        db.session.flush()
        for award in proposal.awards:
            _tell_publicity(award, ends_at)
    return proposal


def _tell_publicity(award, ends_at, changed=None):
    """Tell the applicant where its project stands in the 公示 and until when it may object."""
    app = award.application
    what = f"公示期间得分或排名变化（{changed}），公示已重新发布。" if changed else ""
    notify_org(app.org, f"{app.call.title}评审结果公示：{award.status.label}",
               f"{what}您机构申报的“{app.title}”（{app.number}）在拟资助项目公示中为“{award.status.label}”"
               f"{f'，拟资助{format_wan(award.amount)}' if award.status == AwardStatus.SELECTED else ''}。"
               f"公示期至{format_datetime(ends_at)}止；对公示结果有异议的，可在公示期内实名提出。",
               link=f"/applications/{app.id}")


def public_rows(proposal):
    """What the public results page lists: the selected and reserve projects, in level and rank order."""
    awards = sorted((a for a in proposal.awards if a.status in (AwardStatus.SELECTED, AwardStatus.RESERVE)),
                    key=lambda a: (list(type(a.level)).index(a.level), a.status != AwardStatus.SELECTED,
                                   a.rank or 0))
    return [{"award_id": a.id, "number": a.application.number, "title": a.application.title,
             "org": a.application.org.name, "level": a.level.label, "category": a.application.category,
             "status": a.status.label, "amount": str(a.amount), "score": str(a.final_score),
             "grade": a.grade, "reserve_position": a.reserve_position} for a in awards]


def _revision(proposal, kind, now, summary):
    db.session.add(ResultsRevision(proposal=proposal, kind=kind, created_at=now, summary=summary,
                                   rows=public_rows(proposal)))


# --- confirm ------------------------------------------------------------------------------------

FINAL_OF = {AwardStatus.SELECTED: FinalStatus.SELECTED, AwardStatus.RESERVE: FinalStatus.RESERVE,
            AwardStatus.NOT_SELECTED: FinalStatus.NOT_SELECTED, AwardStatus.CANCELLED: FinalStatus.NOT_SELECTED}


def confirm_problem(proposal, now):
    if proposal.status != ProposalStatus.PUBLICIZED:
        return _not_confirmable(proposal)
    problems = _confirm_guard(proposal, now)
    return problems[0] if problems else None


def _republish_guard(proposal, now=None):
    if not score_changes(proposal):
        return ["公示内容与当前评审得分和排名一致，无需重新发布。"]
    return []


def _not_confirmable(proposal):
    if proposal.status == ProposalStatus.DRAFT:
        return "方案尚未发布公示。"
    return f"最终结果已于{format_datetime(proposal.confirmed_at)}确定。"


def _confirm_guard(proposal, now):
    """What keeps a proposal in 公示 from being confirmed (one sentence at most)."""
    changes = score_changes(proposal)
    if changes:
        return [f"公示发布后评审得分或排名已变化（{_changes_words(changes)}），请先重新发布公示，"
                "再确定最终结果。"]
    if now < proposal.ends_at:
        return [f"公示期至{format_datetime(proposal.ends_at)}止，公示期结束后才能确定最终结果。"]
    open_count = db.session.scalar(sa.select(sa.func.count()).select_from(Objection).join(Award).where(
        Award.proposal_id == proposal.id, Objection.status == ObjectionStatus.RECEIVED))
    if open_count:
        return [f"还有{open_count}件异议尚未处理，处理完毕后才能确定最终结果。"]
    return []


PROPOSAL = StateMachine(
    "proposal", "status", ProposalStatus, final=frozenset({ProposalStatus.FINAL}), refusal=AwardRefused,
    blocked="{problems}",
    transitions=(
        Transition("publish", frozenset({ProposalStatus.DRAFT}), ProposalStatus.PUBLICIZED, "发布公示", "项目官员",
                   is_officer, _publish_guard),
        Transition("republish", frozenset({ProposalStatus.PUBLICIZED}), ProposalStatus.PUBLICIZED, "重新发布公示",
                   "项目官员", is_officer, _republish_guard),
        Transition("confirm", frozenset({ProposalStatus.PUBLICIZED}), ProposalStatus.FINAL, "确定最终结果",
                   "项目官员", is_officer, _confirm_guard),
    ),
    not_allowed={ProposalStatus.PUBLICIZED: _already_published, ProposalStatus.FINAL: _not_confirmable},
)


def republish(proposal, user, now):
    """重新发布公示 after scores or ranking changed during 公示: each changed award takes the score and rank
    the ranking gives now (its explanation says so), a new history entry lists the changes, and the period
    starts again for its full length from now. Selection and amounts stay as published: an officer changes
    them only through objections."""
    proposal = lock_proposal(proposal)
    step = PROPOSAL.require(user, proposal, "republish", now)
    changes = score_changes(proposal)
    with audit_action(PROPOSAL.audit_action(step)):
        for change in changes:
            award = change.award
            award.explanation = [*award.explanation, f"{format_datetime(now)} 公示期间得分或排名变化："
                                 f"{change.words()}，已重新发布公示。"]
            award.final_score, award.rank = change.score, change.rank
        ends_at = confirmed_publicity_end(now, proposal.publicity_days)
        proposal.published_at, proposal.published_by_id, proposal.ends_at = now, user.id, ends_at
        _revision(proposal, RevisionKind.PUBLISHED, now,
                  f"评审得分或排名变化，重新发布公示（{_changes_words(changes, limit=10)}），"
                  f"公示{proposal.publicity_days}个工作日，至{format_datetime(ends_at)}止。")
        db.session.flush()
        for change in changes:
            _tell_publicity(change.award, ends_at, changed=change.words())
    return proposal


def _final_reason(award):
    if award.status == AwardStatus.SELECTED:
        return f"经专家评审、公示无异议，确定入选，资助{format_wan(award.amount)}。"
    if award.status == AwardStatus.RESERVE:
        return f"列为{award.level.label}候补第{award.reserve_position}位；如有入选项目放弃或被取消，按顺序递补。"
    if award.status == AwardStatus.CANCELLED:
        return "公示期间异议成立，取消入选资格。"
    return award.explanation[-1] if award.explanation else "未入选。"


def confirm(proposal, user, now, link_for=None):
    """确定最终结果: every application gets 入选 / 候补 / 未入选 with the reason; each organization's
    members are notified. ``link_for(award)`` gives the link in the notice."""
    proposal = lock_proposal(proposal)
    step = PROPOSAL.require(user, proposal, "confirm", now)
    with audit_action(PROPOSAL.audit_action(step)):
        proposal.status, proposal.confirmed_at, proposal.confirmed_by_id = step.target, now, user.id
        counts = {}
        for award in proposal.awards:
            award.final_status, award.final_reason = FINAL_OF[award.status], _final_reason(award)
            counts[award.final_status] = counts.get(award.final_status, 0) + 1
            app = award.application
            for member in app.org.members:
                notify(member.user, f"{proposal.call.title}评审结果：{award.final_status.label}",
                       f"您机构申报的“{app.title}”（{app.number}）最终结果为{award.final_status.label}。"
                       f"{award.final_reason}", link=link_for(award) if link_for else None)
        _revision(proposal, RevisionKind.FINAL, now,
                  f"公示期满，确定最终结果：入选{counts.get(FinalStatus.SELECTED, 0)}个，"
                  f"候补{counts.get(FinalStatus.RESERVE, 0)}个，未入选{counts.get(FinalStatus.NOT_SELECTED, 0)}个。")
        db.session.flush()
    return proposal


# --- result settings ----------------------------------------------------------------------------

MAX_RESERVE_PER_LEVEL = 50
MAX_BONUS_POINTS = Decimal("999.99")  # Numeric(5, 2)


@dataclass
class ResultSettings:
    """A call's result settings as typed values (``tier_rules`` is a ``TierRules``; its ``min_grade`` is
    ignored: ``Call.min_grade`` is the single minimum grade, set on the call form)."""

    tier_rules: TierRules
    matched_bonus_per_wan: Decimal | None = None
    matched_bonus_cap: Decimal | None = None
    reserve_per_level: int = 3
    publicity_days: int = 5
    publish_scores: bool = False
    publish_panel: bool = True
    promote_reserve: bool = True


def _check_settings(s):
    for name, label in (("matched_bonus_per_wan", "每万元加分"), ("matched_bonus_cap", "最高加分")):
        value = getattr(s, name)
        if value is not None and not (ZERO <= value <= MAX_BONUS_POINTS):
            raise AwardRefused(f"{label}须在0至{MAX_BONUS_POINTS}之间。", name, 400)
    if s.matched_bonus_cap is not None and not s.matched_bonus_per_wan:
        raise AwardRefused("未设置每万元加分时，不需要填写最高加分。", "matched_bonus_cap", 400)
    if not (0 <= s.reserve_per_level <= MAX_RESERVE_PER_LEVEL):
        raise AwardRefused(f"每个级别的候补名额须在0至{MAX_RESERVE_PER_LEVEL}之间。", "reserve_per_level", 400)
    if not (1 <= s.publicity_days <= MAX_PUBLICITY_DAYS):
        raise AwardRefused(f"公示期须为1至{MAX_PUBLICITY_DAYS}个工作日。", "publicity_days", 400)


def update_result_settings(call, user, settings):
    """结果设置: the call's tier rules, matched-funds bonus, reserve places, 公示 length and what the
    results page publishes. Refused once the proposal is published (the public results follow them)."""
    proposal = proposal_of(call)
    if proposal is not None:
        proposal = lock_proposal(proposal)
        if proposal.status != ProposalStatus.DRAFT:
            raise AwardRefused("拟资助方案已发布公示，结果设置不能再修改。")
    _check_settings(settings)
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
