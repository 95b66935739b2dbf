"""Writes of public votes (公众投票; DESIGN.md §4 "Scoring in practice" and "Public participation"; issue 13).

Where a vote lives (docs/architecture.md): a vote round is a ``review.ReviewRound`` of kind 公众投票, created here
through ``review.rounds.operations.create_round``, so that its name, window, entry rule (资格审查通过的全部申报, or
the top N / a score line of a named earlier round, through ``entering_applications``) and weight in the final score
are the review round's, and the call's ranking counts it as a round (``review.results.aggregate.vote_results``
turns its valid votes into a round score). This domain sits above review, beside supervision and pledges (the
public's other kinds of participation): it reads review, applications, calls and citizens, and review reads its
figures only through ``core.signals.vote_round_counts``, answered in ``votes.queries`` from the vote rows.

A vote round moves through ``VOTE_ROUND`` (the review round's own status column): 筹备中 (settings may change) →
评审中, here "投票中" (``open``: the entering projects are fixed as ``VoteEntry`` rows and the public page appears;
votes are taken between ``opens_at`` and ``closes_at``) → 已结束 (``publish``: after the window, once no vote is
under review, the final counts and the receipt hashes with the round's salt are published).

``cast_vote`` takes one vote under a row lock on the voter (``core.db.lock_row`` on the citizen), so that the limits
per day (Beijing date) and in the whole round are counted with no other vote of theirs in flight, however many
requests arrive together; one vote per project is also a unique index. The anomaly rules (``anomalies.py``) run
on each vote in the same transaction and flag it (and the votes of the same pattern) for review, each flag with
its reason. An officer confirms, voids or restores a vote with a reason (``VOTE``), audited; a voter whose vote
is voided or restored is told in the inbox. Every write flushes under its audit action and never commits.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from grantportal.applications.models import AppStatus, Screening
from grantportal.applications.operations import stamp_review_started
from grantportal.citizens.models import Citizen
from grantportal.citizens.queries import citizen_of
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.errors import Refused
from grantportal.core.notices import notify
from grantportal.core.permissions import is_officer
from grantportal.core.timeutil import format_datetime, to_local
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.review.models import EntryRule, PanelMode, ReviewRound, RoundKind, RoundStatus
from grantportal.review.rounds.forms import RoundSettings
from grantportal.review.rounds.operations import RoundRefused, call_problems, create_round, entering_applications
from grantportal.votes import anomalies
from grantportal.votes.models import Vote, VoteEntry, VoteRound, VoteStatus
from grantportal.votes.receipts import network_of, new_code, new_salt

REASON_MAX = 500


class VoteRefused(Refused):
    """A vote operation refused (``core.errors.Refused``: message, field, status)."""


@dataclass(frozen=True)
class VoteRoundData:
    name: str
    opens_at: datetime | None
    closes_at: datetime | None
    entry_rule: EntryRule
    entry_value: Decimal | None
    source_round_id: int | None
    per_day: int
    per_voter: int
    weight_percent: Decimal
    live_tally: bool


# --- the round's workflow ------------------------------------------------------------------------------------

def open_problems(rnd, now=None):
    """What keeps a vote from opening, in words an officer can act on (empty: ready)."""
    now = now or utcnow()
    problems = call_problems(rnd.call, now)
    if rnd.opens_at is None or rnd.closes_at is None:
        problems.append("尚未填写投票开始和截止时间。")
    elif rnd.closes_at <= now:
        problems.append("投票截止时间已过，请改为将来的时间。")
    try:
        if not entering_applications(rnd):
            problems.append("没有进入本轮投票的项目。")
    except RoundRefused as e:
        problems.append(str(e))
    return problems


def publish_problems(rnd, now=None):
    now = now or utcnow()
    if rnd.closes_at is not None and now < rnd.closes_at:
        return [f"投票截止时间（{format_datetime(rnd.closes_at)}）尚未到，截止后才能公布计票结果。"]
    flagged = db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(
        Vote.round_id == rnd.id, Vote.status == VoteStatus.FLAGGED))
    if flagged:
        return [f"还有{flagged}票待核查，请逐一确认有效或作废后再公布。"]
    return []


S = RoundStatus
VOTE_ROUND = StateMachine(
    "vote_round", "status", RoundStatus, final=frozenset({S.CLOSED}), refusal=VoteRefused,
    transitions=(
        Transition("open", frozenset({S.DRAFT}), S.OPEN, "发布投票", "项目官员", is_officer, open_problems),
        Transition("publish", frozenset({S.OPEN}), S.CLOSED, "公布计票结果", "项目官员", is_officer, publish_problems,
                   needs_confirmation=True),
    ),
    not_allowed={S.OPEN: "只有筹备中的投票才能发布。", S.CLOSED: "只有投票中的轮次才能公布计票结果。"},
)


def _tally_open(vote, now=None):
    settings = db.session.get(VoteRound, vote.round_id)
    return ["本轮计票结果已公布，投票不能再改变。"] if settings.published_at is not None else []


V = VoteStatus
VOTE = StateMachine(
    "vote", "status", VoteStatus, final=frozenset(), refusal=VoteRefused, noun="投票",
    transitions=(
        Transition("confirm", frozenset({V.FLAGGED}), V.VALID, "确认有效", "项目官员", is_officer, _tally_open),
        Transition("void", frozenset({V.FLAGGED, V.VALID}), V.VOIDED, "作废", "项目官员", is_officer, _tally_open),
        Transition("restore", frozenset({V.VOIDED}), V.VALID, "恢复有效", "项目官员", is_officer, _tally_open),
    ),
    not_allowed={V.VALID: "该票当前不是待核查或无效状态。", V.VOIDED: "该票已作废。"},
)


# --- setting up ----------------------------------------------------------------------------------------------

def _round_fields(data):
    screened = data.entry_rule == EntryRule.SCREENED
    return {"name": data.name, "opens_at": data.opens_at, "closes_at": data.closes_at,
            "entry_rule": data.entry_rule, "entry_value": None if screened else data.entry_value,
            "source_round_id": None if screened else data.source_round_id, "weight_percent": data.weight_percent}


def _check_limits(data):
    if data.per_day > data.per_voter:
        raise VoteRefused("每天可投票数不能多于每人总票数。", "per_day", 400)


def create_vote_round(call, user, data):
    """A public vote on ``call`` in 筹备中: a review round of kind 公众投票 (no experts, no rubric) with its vote
    settings and a new salt for the receipt hashes."""
    _check_limits(data)
    fields = {**_round_fields(data), "kind": RoundKind.VOTE, "panel_size": 3, "panel_mode": PanelMode.PER_ROUND}
    rnd = create_round(call, user, RoundSettings(fields=fields, criteria=[]))
    with audit_action("vote_round.create"):
        db.session.add(VoteRound(round_id=rnd.id, per_day=data.per_day, per_voter=data.per_voter,
                                 live_tally=data.live_tally, salt=new_salt()))
        db.session.flush()
    return rnd


def update_vote_round(rnd, settings, user, data):
    """Change a vote still in 筹备中 (once open, the public votes under the rules it was opened with)."""
    if rnd.status != RoundStatus.DRAFT:
        raise VoteRefused("投票已发布，设置不能再修改。")
    _check_limits(data)
    with audit_action("vote_round.update"):
        for name, value in _round_fields(data).items():
            if getattr(rnd, name) != value:
                setattr(rnd, name, value)
        for name in ("per_day", "per_voter", "live_tally"):
            if getattr(settings, name) != getattr(data, name):
                setattr(settings, name, getattr(data, name))
        db.session.flush()
    return rnd


def open_vote(rnd, settings, user, now):
    """发布投票: the projects that enter are fixed (``VoteEntry``, in the order of their numbers) and stamped as in
    review (their content no longer changes), and the public page appears."""
    lock_row(ReviewRound, rnd.id)
    step = VOTE_ROUND.require(user, rnd, "open", now)
    apps = entering_applications(rnd)
    with audit_action(VOTE_ROUND.audit_action(step)):
        for position, app in enumerate(apps):
            db.session.add(VoteEntry(round_id=rnd.id, application_id=app.id, position=position))
        rnd.status, settings.opened_at = step.target, now
        db.session.flush()
        stamp_review_started([a.id for a in apps], now)
    return rnd


def publish_tally(rnd, settings, user, now, confirmed=False):
    """公布计票结果: after the window, with no vote under review. The counts per project, the receipt hashes with
    the salt and the voided votes' reasons become public; nothing about the votes changes any more."""
    lock_row(ReviewRound, rnd.id)
    step = VOTE_ROUND.require(user, rnd, "publish", now, confirmed)
    with audit_action(VOTE_ROUND.audit_action(step)):
        rnd.status, rnd.results_published_at = step.target, now
        settings.published_at, settings.published_by_id = now, user.id
        db.session.flush()
    return rnd


# --- voting --------------------------------------------------------------------------------------------------

def voting_problem(rnd, now):
    """Why no vote can be cast in ``rnd`` now (Chinese), or None."""
    if rnd.status == RoundStatus.CLOSED:
        return "本轮投票已结束，计票结果已公布。"
    if rnd.status != RoundStatus.OPEN or rnd.opens_at is None or now < rnd.opens_at:
        return (f"投票尚未开始。投票时间：{format_datetime(rnd.opens_at)}至{format_datetime(rnd.closes_at)}"
                "（北京时间）。")
    if now >= rnd.closes_at:
        return f"投票已于{format_datetime(rnd.closes_at)}截止，计票结果经核查后公布。"
    return None


def voter_counts(citizen_id, round_id, day):
    """(votes cast in the round, of them on ``day``) by one voter."""
    mine = sa.and_(Vote.round_id == round_id, Vote.citizen_id == citizen_id)
    total, today = db.session.execute(sa.select(
        sa.func.count(), sa.func.count().filter(Vote.day == day)).select_from(Vote).where(mine)).one()
    return total, today


def cast_vote(rnd, settings, application_id, user, ip, now, config):
    """One vote by the signed-in citizen ``user`` for the entered project ``application_id``, from address ``ip``.
    Refused (nothing written) outside the window, for a project not in the vote, a second vote for the same
    project, or beyond the limits per day and in all; otherwise the vote row with its receipt code, checked by
    the anomaly rules (``config``: the site's thresholds). Returns the vote."""
    citizen = citizen_of(user)
    if citizen is None or citizen.phone_verified_at is None:
        raise VoteRefused("请先使用手机号和短信验证码登录公众账户，验证手机号后再投票。", status=403)
    lock_row(Citizen, citizen.id)  # this voter's votes take turns: the limits below count every vote of theirs
    problem = voting_problem(rnd, now)
    if problem:
        raise VoteRefused(problem)
    entered = db.session.get(VoteEntry, (rnd.id, application_id))
    if entered is None:
        raise VoteRefused("该项目不在本轮投票的项目之列。", status=404)
    if entered.application.status != AppStatus.SUBMITTED or entered.application.screening == Screening.FAILED:
        raise VoteRefused("该项目已撤回申报或未通过资格审查，不再接受投票。")
    already = db.session.scalar(sa.select(Vote.id).where(
        Vote.round_id == rnd.id, Vote.citizen_id == citizen.id, Vote.application_id == application_id))
    if already is not None:
        raise VoteRefused("您已为该项目投过票，每个项目只能投一票。")
    day = to_local(now).date()
    total, today = voter_counts(citizen.id, rnd.id, day)
    if total >= settings.per_voter:
        raise VoteRefused(f"您在本轮投票的{settings.per_voter}票已全部投出，感谢参与。")
    if today >= settings.per_day:
        raise VoteRefused(f"您今天的{settings.per_day}票已投完，请明天（北京时间0时后）再来。")
    with audit_action("vote.cast"):
        vote = Vote(round_id=rnd.id, application_id=application_id, citizen_id=citizen.id, cast_at=now, day=day,
                    receipt=new_code(), ip=ip or "unknown", network=network_of(ip), status=VoteStatus.VALID)
        db.session.add(vote)
        db.session.flush()
    with audit_action("vote.flag"):
        anomalies.check(vote, citizen, now, anomalies.Thresholds.from_config(config))
    return vote


# --- the officer's review --------------------------------------------------------------------------------------

DECIDED = {"confirm": "经核查确认有效", "void": "经核查认定无效", "restore": "经复核恢复有效"}


def decide(vote, officer, name, reason, now, link=None):
    """``name``: confirm (待核查 → 有效), void (→ 无效) or restore (无效 → 有效), with the officer's reason (kept
    with the vote; a voided vote's reason is published next to its receipt hash). The voter is told when their
    vote is voided or restored."""
    lock_row(Vote, vote.id)
    db.session.refresh(vote)
    step = VOTE.require(officer, vote, name, now)
    reason = (reason or "").strip()
    if not reason:
        raise VoteRefused(f"请填写{step.verb}的理由。", "reason", 400)
    if len(reason) > REASON_MAX:
        raise VoteRefused(f"理由不能超过{REASON_MAX}个字。", "reason", 400)
    with audit_action(VOTE.audit_action(step)):
        vote.status = step.target
        vote.decided_at, vote.decided_by_id, vote.decision_reason = now, officer.id, reason
        db.session.flush()
        if name in ("void", "restore"):
            title = vote.application.title
            words = "作废，不计入票数" if name == "void" else "恢复有效，计入票数"
            notify(vote.citizen.user, f"您的一张投票已{words[:2]}",
                   f"您于{format_datetime(vote.cast_at)}为{quoted(title)}投出的一票{DECIDED[name]}，已{words}。"
                   f"理由：{reason}", link)
    return vote
