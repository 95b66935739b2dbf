"""Review rounds: settings, which applications enter, the workflow, reminders.

Every write names itself in the audit log, flushes, and leaves the commit to the request that called
it. A round's workflow (筹备中 → 评审中 → 已结束) is data in ``ROUND`` (``core.workflow``); ``ROUND.check`` is
the one place that answers "may this round move now?".
"""
from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.accounts.models import User
from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.applications.operations import stamp_review_started
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.errors import Refused
from grantportal.core.notices import notify
from grantportal.core.permissions import is_officer
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition
from grantportal.review.models import (
    Assignment,
    Draw,
    EntryRule,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundCriterion,
    RoundStatus,
)
from grantportal.review.results.aggregate import round_results


class RoundRefused(Refused):
    """The round's state does not allow this now (409); the message is Chinese."""


# -- rounds -----------------------------------------------------------------------------------------
ROUND_FIELDS = ("name", "kind", "opens_at", "closes_at", "panel_size", "panel_mode", "expert_fields",
                "load_limit", "blind", "aggregation", "trim_min_scores", "half_points", "comment_below_percent",
                "overall_comment_required", "spread_threshold", "entry_rule", "entry_value", "source_round_id",
                "weight_percent")
ALWAYS_EDITABLE = ("name", "opens_at", "closes_at")  # still editable once reviews exist


def default_rubric(call):
    """A new round's rubric: a copy of the call's."""
    return [(c.name, Decimal(c.max_points), c.guidance or "") for c in call.criteria]


def has_reviews(rnd):
    """Once any review (draft or submitted) is saved, the round's rubric and settings are locked."""
    if rnd.id is None:
        return False
    query = sa.select(Review.id).join(Assignment, Review.assignment_id == Assignment.id) \
        .where(Assignment.round_id == rnd.id).limit(1)
    return db.session.scalar(query) is not None


def create_round(call, user, settings):
    """A new round in 筹备中 from the form's typed settings (``settings.fields``, ``settings.criteria``:
    [(id or None, name, max points, guidance)])."""
    with audit_action("round.create"):
        last = db.session.scalar(sa.select(sa.func.max(ReviewRound.position)).where(ReviewRound.call_id == call.id))
        rnd = ReviewRound(call_id=call.id, position=(last if last is not None else -1) + 1,
                          status=RoundStatus.DRAFT, **settings.fields)
        db.session.add(rnd)
        _sync_criteria(rnd, settings.criteria)
        db.session.flush()
    return rnd


def update_round(rnd, user, settings):
    """Change a round. After a review has been saved only name and times change; a closed round not at all."""
    if rnd.status == RoundStatus.CLOSED:
        raise RoundRefused("已结束的评审轮次不能再修改。")
    locked = has_reviews(rnd)
    with audit_action("round.update"):
        for name, value in settings.fields.items():
            if locked and name not in ALWAYS_EDITABLE:
                continue
            if getattr(rnd, name) != value:
                setattr(rnd, name, value)
        if not locked and settings.criteria is not None:
            _sync_criteria(rnd, settings.criteria)
        db.session.flush()
    return rnd


def _sync_criteria(rnd, rows):
    """Make the rubric match ``rows``, updating rows with the same id in place."""
    by_id = {c.id: c for c in rnd.criteria if c.id is not None}
    keep = []
    for position, (row_id, name, max_points, guidance) in enumerate(rows):
        crit = by_id.get(row_id) or RoundCriterion()
        for attr, value in (("position", position), ("name", name), ("max_points", max_points),
                            ("guidance", guidance)):
            if getattr(crit, attr) != value:
                setattr(crit, attr, value)
        keep.append(crit)
    for crit in list(rnd.criteria):
        if crit not in keep:
            rnd.criteria.remove(crit)
    for crit in keep:
        if crit not in rnd.criteria:
            rnd.criteria.append(crit)


# -- which applications enter -------------------------------------------------------------------------
def screened_applications(call_id):
    return sa.select(Application).where(Application.call_id == call_id, Application.status == AppStatus.SUBMITTED,
                                         Application.screening == Screening.PASSED)


def earlier_scores(source_round):
    """{application id: round score} of an earlier round, best first
    (``grantportal.review.results.aggregate.round_results``: ``{application_id: RoundStats}`` in ranking order)."""
    results = round_results(source_round)
    rows = results.values() if isinstance(results, Mapping) else results
    return {row.application_id: Decimal(row.score) for row in rows if row.score is not None}


def entering_applications(rnd):
    """The applications that enter this round, by number (with their organizations loaded)."""
    query = screened_applications(rnd.call_id).options(joinedload(Application.org)) \
        .order_by(Application.number, Application.id)
    apps = db.session.scalars(query).unique().all()
    if rnd.entry_rule == EntryRule.SCREENED:
        return apps
    if rnd.source_round is None:
        raise RoundRefused("请先在本轮设置中选择作为依据的上一轮评审。")
    scores = earlier_scores(rnd.source_round)
    present = {a.id: a for a in apps}
    ranked = [app_id for app_id in scores if app_id in present]  # ranking order, ties already broken
    if rnd.entry_rule == EntryRule.TOP_N:
        keep = set(ranked[:int(rnd.entry_value or 0)])
    else:
        keep = {i for i in ranked if scores[i] >= (rnd.entry_value or 0)}
    return [a for a in apps if a.id in keep]


# -- workflow -----------------------------------------------------------------------------------------
def call_problems(call, now):
    """What keeps any round of ``call`` from opening: the application deadline not yet past, or submitted
    applications still waiting for eligibility screening (they could still enter)."""
    problems = []
    deadline = call.deadline
    if deadline is None or deadline > now:
        when = f"（{format_datetime(deadline)}）" if deadline else ""
        problems.append(f"申报截止时间{when}尚未到，截止后才能开始评审。")
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
        Application.call_id == call.id, Application.status == AppStatus.SUBMITTED,
        Application.screening == Screening.PENDING))
    if pending:
        problems.append(f"还有{pending}个已提交的申报尚未完成资格审查，全部审查后才能开始评审。")
    return problems


def open_problems(rnd, now=None):
    """What keeps a round from opening for scoring, in words an officer can act on (empty: ready)."""
    now = now or utcnow()
    problems = call_problems(rnd.call, now)
    if rnd.opens_at is None or rnd.closes_at is None:
        problems.append("尚未填写评审开始和截止时间。")
    elif rnd.closes_at <= now:
        problems.append("评审截止时间已过，请改为将来的时间。")
    if not rnd.criteria:
        problems.append("尚未设置评分标准。")
    try:
        apps = entering_applications(rnd)
    except RoundRefused as e:
        return problems + [str(e)]
    if not apps:
        problems.append("没有进入本轮评审的申报。")
    counts = panel_counts(rnd)
    short = [a.display_number for a in apps if counts.get(a.id, 0) < rnd.panel_size]
    if short:
        shown = "、".join(short[:5]) + ("等" if len(short) > 5 else "")
        problems.append(f"{len(short)}个申报的评审组未满{rnd.panel_size}人（{shown}），请先抽取或指派专家。")
    return problems


def results_published(call_id):
    """Whether the call's results are published (公示): awards stamps ``results_published_at`` on the
    applications when it publishes, so review reads the fact without importing awards."""
    return db.session.scalar(sa.select(Application.id).where(
        Application.call_id == call_id, Application.results_published_at.is_not(None)).limit(1)) is not None


def reopen_problems(rnd, now=None):
    if results_published(rnd.call_id):
        return ["本征集的评审结果已发布公示，评审轮次不能再重新开启。"]
    return []


def missing_assignments(rnd):
    """The round's active assignments without a submitted review (the reviews still missing)."""
    submitted = sa.select(Review.assignment_id).where(Review.status == ReviewStatus.SUBMITTED)
    return db.session.scalars(sa.select(Assignment).where(
        Assignment.round_id == rnd.id, Assignment.active.is_(True), Assignment.id.not_in(submitted))
        .order_by(Assignment.id)).all()


ROUND = StateMachine(
    "round", "status", RoundStatus, final=frozenset(), refusal=RoundRefused,
    transitions=(
        Transition("open", frozenset({RoundStatus.DRAFT}), RoundStatus.OPEN, "开始评审", "项目官员", is_officer,
                   open_problems),
        Transition("close", frozenset({RoundStatus.OPEN}), RoundStatus.CLOSED, "结束评审", "项目官员", is_officer,
                   needs_confirmation=True),
        Transition("reopen", frozenset({RoundStatus.CLOSED}), RoundStatus.OPEN, "重新开启评审", "项目官员",
                   is_officer, reopen_problems),
    ),
    not_allowed={RoundStatus.OPEN: lambda rnd: ("只有已结束的评审轮次才能重新开启。" if rnd.status == RoundStatus.OPEN
                                                else "只有筹备中的评审轮次才能开始评审。"),
                 RoundStatus.CLOSED: "只有评审中的轮次才能结束。"},
)


def move_round(rnd, user, name, confirmed=False, now=None):
    """Open or close the round (``ROUND``). Opening puts its applications in expert review. Closing with
    reviews missing goes through ``close_round`` (the officer excludes them with a reason)."""
    if name == "close" and missing_assignments(rnd):
        raise RoundRefused("本轮还有专家评审未提交：请先替换未评审的专家，或填写理由排除未提交的评审后再结束。")
    ROUND.move(rnd, user, name, now, confirmed)
    if name == "open":
        started = db.session.scalars(sa.select(Assignment.application_id)
                                     .where(Assignment.round_id == rnd.id, Assignment.active.is_(True)))
        stamp_review_started(started.all(), now or utcnow())
    return rnd


def close_round(rnd, user, exclude_reason=None, confirmed=False, now=None):
    """结束评审. Reviews still missing block closing unless the officer excludes them with a reason: their
    assignments are withdrawn (``active`` off, the reason kept), audited with the close, and no longer count
    as missing anywhere (公示 included). The alternative is to replace those experts before closing."""
    missing = missing_assignments(rnd)
    reason = (exclude_reason or "").strip()
    if missing and not reason:
        raise RoundRefused(f"本轮还有{len(missing)}份专家评审未提交：请先替换未评审的专家，"
                           "或填写理由排除未提交的评审后再结束。", "exclude_reason", 409)
    step = ROUND.require(user, rnd, "close", now, confirmed)
    with audit_action(ROUND.audit_action(step)):
        for assignment in missing:
            assignment.active = False
            assignment.removed_reason = f"结束评审时排除未提交的评审：{reason}"
        rnd.status = step.target
        db.session.flush()
    return len(missing)


def reopen_round(rnd, user, reason, closes_at=None, now=None):
    """重新开启评审 with a reason (audited), until the call's results are published; a new closing time
    when the old one has passed, so experts can score again."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise RoundRefused("请填写重新开启评审的理由。", "reason", 400)
    closes_at = closes_at or rnd.closes_at
    if closes_at is None or closes_at <= now:
        raise RoundRefused("请填写将来的评审截止时间。", "closes_at", 400)
    step = ROUND.require(user, rnd, "reopen", now)
    with audit_action(ROUND.audit_action(step)):
        rnd.status, rnd.closes_at = step.target, closes_at
        rnd.reopen_reason = reason
        db.session.flush()
    return rnd


def delete_problems(rnd):
    if rnd.status != RoundStatus.DRAFT:
        return ["只有筹备中的评审轮次可以删除。"]
    if has_reviews(rnd):
        return ["已有专家保存评分，本轮不能删除。"]
    later = db.session.scalar(sa.select(ReviewRound.id).where(ReviewRound.source_round_id == rnd.id).limit(1))
    if later is not None:
        return ["其他轮次以本轮作为入围依据，请先修改那些轮次的设置。"]
    return []


def delete_round(rnd, user):
    """Delete a round still in 筹备中 (e.g. created on the wrong call), with its rubric and panels; audited."""
    problems = delete_problems(rnd)
    if problems:
        raise RoundRefused("".join(problems))
    with audit_action("round.delete"):
        for assignment in db.session.scalars(sa.select(Assignment).where(Assignment.round_id == rnd.id)):
            db.session.delete(assignment)
        db.session.flush()  # assignments name their draw
        for draw in db.session.scalars(sa.select(Draw).where(Draw.round_id == rnd.id)):
            db.session.delete(draw)
        db.session.flush()
        db.session.delete(rnd)
        db.session.flush()


def is_drawable_state(rnd):
    return rnd.status in (RoundStatus.DRAFT, RoundStatus.OPEN)


# -- panels: the lock and the counts that draws and the workflow share -----------------------------------
def lock_round(rnd):
    """Serialise draws and assignments on one round (a row lock on PostgreSQL; SQLite serialises writers)."""
    lock_row(ReviewRound, rnd.id)


def panel_counts(rnd):
    rows = db.session.execute(sa.select(Assignment.application_id, sa.func.count())
                              .where(Assignment.round_id == rnd.id, Assignment.active.is_(True))
                              .group_by(Assignment.application_id))
    return dict(rows.all())


# -- reminders ---------------------------------------------------------------------------------------
def unfinished_by_expert(rnd):
    """{expert user: number of active assignments without a submitted review}."""
    rows = db.session.execute(
        sa.select(Assignment.expert_id, sa.func.count())
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.round_id == rnd.id, Assignment.active.is_(True),
               sa.or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED))
        .group_by(Assignment.expert_id)).all()
    counts = dict(rows)
    users = db.session.scalars(sa.select(User).where(User.id.in_(counts))).all() if counts else []
    return {u: counts[u.id] for u in sorted(users, key=lambda u: u.id)}


def send_reminders(rnd, user, link=None):
    """An in-app notice and an e-mail (after commit) to every expert with unfinished reviews."""
    if rnd.status != RoundStatus.OPEN:
        raise RoundRefused("只有评审中的轮次才能发送催办提醒。")

    pending = unfinished_by_expert(rnd)
    with audit_action("round.remind"):
        for expert_user, n in pending.items():
            title = f"评审提醒：{rnd.call.title}·{rnd.name}"
            body = (f"{expert_user.name}专家：您在{quoted(rnd.call.title)}{rnd.name}中还有{n}份评分未提交，"
                    f"评审截止时间为{format_datetime(rnd.closes_at)}（北京时间）。请登录平台完成评分。")
            notify(expert_user, title, body, link)
        db.session.flush()
    return len(pending)


