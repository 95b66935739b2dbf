"""The proposal's workflow as data: 草稿 draft ──publish──▶ 公示中 publicized ──confirm──▶ 最终 final, and
republish within 公示 after scores or ranking changed. Each step has its guard: what keeps it from
happening now, in one sentence; the pages show the same sentence next to the button."""
import sqlalchemy as sa

from grantportal.applications.queries import valid_responses
from grantportal.awards.models import Award, Objection, ObjectionStatus, ProposalStatus
from grantportal.awards.proposals.queries import (
    changes_words,
    missing_reviews,
    score_changes,
    selected_count,
    unscreened,
)
from grantportal.calls.methods import responses_problem
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused
from grantportal.core.permissions import is_officer
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.review.models import RoundStatus
from grantportal.review.results.aggregate import scored_rounds


class AwardRefused(Refused):
    """An operation on awards refused (``core.errors.Refused``: message, field, status)."""


# --- publish ------------------------------------------------------------------------------------

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
    too_few = responses_problem(call, valid_responses(call))  # competitive methods (calls.methods)
    if too_few:
        return [too_few]
    open_rounds = [r.name for r in scored_rounds(call) if r.status != RoundStatus.CLOSED]
    if open_rounds:
        return [f"评审轮次{quoted('”“'.join(open_rounds))}尚未结束，全部评审轮次结束后才能发布公示。"]
    missing = missing_reviews(call)
    if missing:
        return [f"还有{missing}份专家评审未提交，全部评审完成后才能发布公示。"]
    if not selected_count(proposal):
        return ["方案中没有拟入选项目，不能发布公示。"]
    changes = score_changes(proposal)
    if changes:
        return [f"生成方案后评审得分或排名已变化（{changes_words(changes)}），请重新生成拟资助方案后再发布公示。"]
    return []


# --- republish and confirm ----------------------------------------------------------------------

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
        return [f"公示发布后评审得分或排名已变化（{changes_words(changes)}），请先重新发布公示，"
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
