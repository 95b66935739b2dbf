"""Writes and queries for review rounds, draws and assignments (the officer's side of expert review).

Every write names itself in the audit log, flushes, and leaves the commit to the request that called
it. A round's workflow (筹备中 → 评审中 → 已结束) is data in ``ROUND`` (``core.workflow``); ``ROUND.check`` is
the one place that answers "may this round move now?".
"""
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grantportal.accounts.models import User
from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.applications.operations import stamp_review_started
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.errors import Refused
from grantportal.core.notices import notify
from grantportal.core.permissions import is_officer
from grantportal.core.roles import Role
from grantportal.core.timeutil import format_datetime
from grantportal.core.workflow import StateMachine, Transition
from grantportal.experts.conflicts import conflict_reasons, conflicts_for_pairs
from grantportal.experts.models import Conflict, ExpertProfile
from grantportal.review import draw as drawing
from grantportal.review.aggregate import ConflictedReview, round_results
from grantportal.review.models import (
    Assignment,
    AssignmentSource,
    Draw,
    EntryRule,
    PanelMode,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundCriterion,
    RoundStatus,
)


class RoundRefused(Refused):
    """The round's state does not allow this now (409); the message is Chinese."""


class NotEnoughExperts(Refused):
    """Too few experts can be drawn; nothing was saved. The message is Chinese."""


class PanelFull(Refused):
    """The panel already has its members (e.g. a double-clicked draw); nothing was drawn."""


class ConflictRefused(Refused):
    """The expert has a conflict of interest with the application and can never be assigned."""

    def __init__(self, reasons):
        self.reasons = reasons
        super().__init__("该专家与此申报存在利益冲突，依规回避，不能指派：" + "；".join(r.reason for r in reasons))


class AssignmentRefused(Refused):
    """The chosen expert cannot be added (not drawable, already on the panel, at a limit …)."""


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
    (``grantportal.review.aggregate.round_results``: ``{application_id: RoundStats}`` in ranking order)."""
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
def open_problems(rnd, now=None):
    """What keeps a round from opening for scoring, in words an officer can act on (empty: ready)."""
    now = now or utcnow()
    problems = []
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


ROUND = StateMachine(
    "round", "status", RoundStatus, final=frozenset({RoundStatus.CLOSED}), refusal=RoundRefused,
    transitions=(
        Transition("open", frozenset({RoundStatus.DRAFT}), RoundStatus.OPEN, "开始评审", "项目官员", is_officer,
                   open_problems),
        Transition("close", frozenset({RoundStatus.OPEN}), RoundStatus.CLOSED, "结束评审", "项目官员", is_officer,
                   needs_confirmation=True),
    ),
    not_allowed={RoundStatus.OPEN: "只有筹备中的评审轮次才能开始评审。",
                 RoundStatus.CLOSED: "只有评审中的轮次才能结束。"},
)


def move_round(rnd, user, name, confirmed=False, now=None):
    """Open or close the round (``ROUND``). Opening puts its applications in expert review."""
    ROUND.move(rnd, user, name, now, confirmed)
    if name == "open":
        started = db.session.scalars(sa.select(Assignment.application_id)
                                     .where(Assignment.round_id == rnd.id, Assignment.active.is_(True)))
        stamp_review_started(started.all(), now or utcnow())
    return rnd


def is_drawable_state(rnd):
    return rnd.status in (RoundStatus.DRAFT, RoundStatus.OPEN)


# -- the pool of experts, loaded once ----------------------------------------------------------------
def lock_round(rnd):
    """Serialise draws and assignments on one round (a row lock on PostgreSQL; SQLite serialises writers)."""
    lock_row(ReviewRound, rnd.id)


def panel_counts(rnd):
    rows = db.session.execute(sa.select(Assignment.application_id, sa.func.count())
                              .where(Assignment.round_id == rnd.id, Assignment.active.is_(True))
                              .group_by(Assignment.application_id))
    return dict(rows.all())


def load_pool(rnd):
    """The experts and the round's assignments, in a fixed number of queries whatever the size."""
    profiles = db.session.scalars(
        sa.select(ExpertProfile).join(User, ExpertProfile.user_id == User.id).where(User.role == Role.EXPERT)
        .options(joinedload(ExpertProfile.user), selectinload(ExpertProfile.affiliations),
                 selectinload(ExpertProfile.conflicts).joinedload(Conflict.set_by))).unique().all()
    pool = drawing.Pool(round=rnd, profiles=profiles)
    for app_id, expert_id, active in db.session.execute(
            sa.select(Assignment.application_id, Assignment.expert_id, Assignment.active)
            .where(Assignment.round_id == rnd.id)):
        if active:
            pool.active.setdefault(app_id, set()).add(expert_id)
            pool.round_load[expert_id] = pool.round_load.get(expert_id, 0) + 1
        else:
            pool.removed.setdefault(app_id, set()).add(expert_id)
    # open load: active assignments not yet submitted, in rounds not closed
    unfinished = sa.select(Assignment.expert_id, sa.func.count()) \
        .join(ReviewRound, Assignment.round_id == ReviewRound.id) \
        .outerjoin(Review, Review.assignment_id == Assignment.id) \
        .where(Assignment.active.is_(True), ReviewRound.status != RoundStatus.CLOSED,
               sa.or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED)) \
        .group_by(Assignment.expert_id)
    pool.open_load = dict(db.session.execute(unfinished).all())
    return pool


def candidates_for(rnd, application):
    """``draw.candidates`` for one application, with the pool loaded: (candidates, excluded)."""
    return drawing.candidates(load_pool(rnd), application)


# -- draws ------------------------------------------------------------------------------------------
def _record_draw(rnd, application, user, kept, excluded, size, seed=None):
    seed = seed or drawing.new_seed()
    picked = drawing.pick(kept, seed, size)
    record = Draw(round_id=rnd.id, application_id=application.id if application is not None else None,
                  seed=seed, size=size, candidates=kept, excluded=excluded, picked=picked,
                  created_by_id=user.id)
    return record


def _assign(rnd, application, expert_id, user, source, draw=None, reason=None):
    """A new assignment (``draw`` must be flushed already: its id is recorded). In a round under way the
    application is in expert review from now on."""
    if rnd.status == RoundStatus.OPEN:
        stamp_review_started([application.id], utcnow())
    return Assignment(round_id=rnd.id, application_id=application.id, expert_id=expert_id, source=source,
                      draw_id=draw.id if draw is not None else None, reason=reason, created_by_id=user.id)


def draw_panel(rnd, application, user):
    """Draw the missing members of one application's panel. Returns the Draw."""
    if rnd.panel_mode == PanelMode.PER_ROUND:
        raise RoundRefused("本轮全轮共用一个评审组，请使用“为全部申报抽取评审组”。")
    return draw_all(rnd, user, only=application)[0]


def draw_all(rnd, user, only=None):
    """Draw the missing panel members of every entering application (or of ``only``) in one
    transaction; nothing is saved if any application lacks candidates. Returns the new Draw rows."""
    if not is_drawable_state(rnd):
        raise RoundRefused("评审已结束，不能再抽取专家。")
    lock_round(rnd)
    apps = entering_applications(rnd)
    if only is not None:
        if only.id not in {a.id for a in apps}:
            raise RoundRefused("该申报未进入本轮评审，不能为其抽取专家。")
        apps = [a for a in apps if a.id == only.id]
    if not apps:
        raise RoundRefused("没有进入本轮评审的申报。")
    pool = load_pool(rnd)
    if rnd.panel_mode == PanelMode.PER_ROUND and only is None:
        return _draw_round_panel(rnd, apps, pool, user)
    pending, short = [], []
    for application in apps:
        missing = rnd.panel_size - len(pool.active.get(application.id, ()))
        if missing <= 0:
            continue
        kept, excluded = drawing.candidates(pool, application)
        if len(kept) < missing:
            short.append(f"{application.display_number}（需{missing}人，可抽{len(kept)}人）")
            continue
        record = _record_draw(rnd, application, user, kept, excluded, missing)
        for expert_id in record.picked:
            pool.took(expert_id, application.id)
        pending.append((application, record))
    if short:
        raise NotEnoughExperts("符合条件的专家不足，未抽取：" + "；".join(short[:10])
                               + ("等" if len(short) > 10 else "")
                               + "。请扩大专业领域、提高任务上限或补充专家库后重试。")
    if not pending:
        raise PanelFull("评审组已满，未重复抽取。")
    with audit_action("draw.panel"):
        db.session.add_all([record for _, record in pending])
        db.session.flush()  # the draws' ids, for their assignments
        for application, record in pending:
            for expert_id in record.picked:
                db.session.add(_assign(rnd, application, expert_id, user, AssignmentSource.DRAW, draw=record))
        db.session.flush()
    return [record for _, record in pending]


def _draw_round_panel(rnd, apps, pool, user):
    """One panel for the whole round: drawn once; later entrants get the same members."""
    members = sorted({e for ids in pool.active.values() for e in ids})
    if not members:
        kept, excluded = drawing.round_candidates(pool, apps)
        if len(kept) < rnd.panel_size:
            raise NotEnoughExperts(f"符合条件的专家不足：本轮需{rnd.panel_size}人，可抽{len(kept)}人。"
                                   "请扩大专业领域、提高任务上限或补充专家库后重试。")
        record = _record_draw(rnd, None, user, kept, excluded, rnd.panel_size)
        with audit_action("draw.round"):
            db.session.add(record)
            db.session.flush()
            for application in apps:
                for expert_id in record.picked:
                    db.session.add(_assign(rnd, application, expert_id, user, AssignmentSource.DRAW, draw=record))
            db.session.flush()
        return [record]
    profiles = {p.user_id: p for p in pool.profiles}
    added = 0
    with audit_action("draw.round"):
        for application in apps:
            for expert_id in members:
                if len(pool.active.get(application.id, ())) >= rnd.panel_size:
                    break
                if expert_id in pool.active.get(application.id, set()) | pool.removed.get(application.id, set()):
                    continue
                if conflict_reasons(profiles[expert_id].user, application):
                    continue
                db.session.add(_assign(rnd, application, expert_id, user, AssignmentSource.DRAW))
                pool.took(expert_id, application.id)
                added += 1
        db.session.flush()
    if not added:
        raise PanelFull("评审组已满，未重复抽取；如仍有申报缺少评审专家，请人工指派。")
    return []


# -- manual additions and replacements ---------------------------------------------------------------
def _check_manual(rnd, application, expert_user, pool):
    profile = next((p for p in pool.profiles if p.user_id == expert_user.id), None)
    if profile is None:
        raise AssignmentRefused("该账户不是专家库中的专家。")
    reasons = conflict_reasons(expert_user, application)
    if reasons:
        raise ConflictRefused(reasons)
    if expert_user.id in pool.active.get(application.id, set()):
        raise AssignmentRefused("该专家已在此申报的评审组中。")
    if expert_user.id in pool.removed.get(application.id, set()):
        raise AssignmentRefused("该专家曾从此申报的评审组中移出，不能再次加入。")
    standing = drawing.standing_reason(profile, rnd)
    if standing and standing != drawing.OUTSIDE_FIELDS:  # an officer may choose outside the fields
        raise AssignmentRefused(f"不能指派：{standing}。")
    over = drawing.load_reason(pool, expert_user.id, profile)
    if over:
        raise AssignmentRefused(f"不能指派：{over}。")


def add_expert(rnd, application, expert_user, reason, user):
    """Add one expert to an application's panel by hand, with a reason."""
    if not is_drawable_state(rnd):
        raise RoundRefused("评审已结束，不能再指派专家。")
    lock_round(rnd)
    pool = load_pool(rnd)
    _check_manual(rnd, application, expert_user, pool)
    if len(pool.active.get(application.id, ())) >= rnd.panel_size:
        raise AssignmentRefused(f"评审组已满{rnd.panel_size}人；如需更换专家，请使用“替换”。")
    with audit_action("assignment.add"):
        assignment = _assign(rnd, application, expert_user.id, user, AssignmentSource.MANUAL, reason=reason)
        db.session.add(assignment)
        db.session.flush()
    return assignment


SUBMITTED_REFUSED = "该专家已提交评分，不能替换。如评分有误，请退回评分后由专家修改。"


def replacement_refusal(assignment, review):
    """Why this panel member cannot be replaced because of their review (None: may be). A submitted review
    stands — unless the expert has a conflict of interest with the application, found after submitting:
    then the review already does not count (aggregate.round_figures) and the expert may be replaced."""
    if review is None or review.status != ReviewStatus.SUBMITTED:
        return None
    if conflict_reasons(assignment.expert, assignment.application):
        return None
    return SUBMITTED_REFUSED


def replace_assignment(assignment, reason, user, expert_user=None):
    """Take an expert off a panel (the assignment is kept, inactive, with the reason) and put another
    in: ``expert_user`` if given, else one drawn at random (a Draw is recorded). An expert who has
    submitted is replaced only when conflicted (``replacement_refusal``); the review is kept, with the
    old assignment, for the record, and the replacement is logged as ``assignment.replace_conflicted``."""
    rnd = assignment.round
    if not is_drawable_state(rnd):
        raise RoundRefused("评审已结束，不能再替换专家。")
    if not assignment.active:
        raise RoundRefused("该专家已被替换。")
    lock_round(rnd)
    # lock the assignment, then read its review afresh: a submission racing this replacement waits
    lock_row(Assignment, assignment.id, reload=True)
    if not assignment.active:
        raise RoundRefused("该专家已被替换。")
    review = db.session.scalar(sa.select(Review).where(Review.assignment_id == assignment.id)
                               .execution_options(populate_existing=True))
    refusal = replacement_refusal(assignment, review)
    if refusal:
        raise RoundRefused(refusal)
    submitted = review is not None and review.status == ReviewStatus.SUBMITTED
    application = assignment.application
    pool = load_pool(rnd)
    pool.active[application.id].discard(assignment.expert_id)
    pool.removed.setdefault(application.id, set()).add(assignment.expert_id)
    pool.round_load[assignment.expert_id] -= 1
    record = None
    if expert_user is not None:
        _check_manual(rnd, application, expert_user, pool)
        new_id = expert_user.id
    else:
        kept, excluded = drawing.candidates(pool, application)
        if not kept:
            raise NotEnoughExperts("没有符合条件的专家可以替换，未作更改。请人工指定或补充专家库。")
        record = _record_draw(rnd, application, user, kept, excluded, 1)
        new_id = record.picked[0]
    with audit_action("assignment.replace_conflicted" if submitted else "assignment.replace"):
        assignment.active = False
        assignment.removed_reason = reason
        if record is not None:
            db.session.add(record)
            db.session.flush()
        new = _assign(rnd, application, new_id, user, AssignmentSource.REPLACEMENT, draw=record, reason=reason)
        db.session.add(new)
        db.session.flush()
    return new


def member_conflicts(application, members):
    """{assignment id: [ConflictReason, ...]} for the active panel members who have a conflict of interest
    with the application now (found after they were drawn or had scored)."""
    active = [m for m in members if m.active]
    found = conflicts_for_pairs((application.id, application.org_id, m.expert_id) for m in active)
    return {m.id: found[(application.id, m.expert_id)] for m in active if (application.id, m.expert_id) in found}


def selectable_experts(rnd, application):
    """Experts an officer may add by hand to this panel: (user, None) or (user, why not)."""
    pool = load_pool(rnd)
    out = []
    for profile in pool.profiles:
        try:
            _check_manual(rnd, application, profile.user, pool)
        except ConflictRefused:
            continue  # conflicted experts are not even offered
        except AssignmentRefused as e:
            out.append((profile.user, str(e)))
            continue
        out.append((profile.user, None))
    return out


# -- the officer's dashboard -------------------------------------------------------------------------
@dataclass
class ExpertProgress:
    expert: object
    assigned: int = 0
    submitted: int = 0
    draft: int = 0

    @property
    def not_started(self):
        return self.assigned - self.submitted - self.draft

    @property
    def done(self):
        return self.assigned > 0 and self.submitted == self.assigned


@dataclass
class ApplicationProgress:
    application: object
    panel: int = 0
    submitted: int = 0
    totals: list = None  # [(expert, total)] of submitted reviews that count
    not_counted: int = 0  # submitted reviews left out: the expert turned out to be conflicted

    @property
    def spread(self):
        values = [t for _, t in self.totals]
        return max(values) - min(values) if len(values) >= 2 else None


@dataclass
class Outlier:
    application: object
    expert: object
    total: Decimal
    others_mean: Decimal

    @property
    def distance(self):
        return abs(self.total - self.others_mean)


def outliers(totals, threshold):
    """[(key, total, mean of the others)] for each score more than ``threshold`` points from the mean of
    the other scores of the same panel (needs at least two others)."""
    found = []
    if len(totals) < 3:
        return found
    whole = sum((t for _, t in totals), Decimal("0"))
    for key, total in totals:
        others = (whole - total) / (len(totals) - 1)
        if abs(total - others) > threshold:
            found.append((key, total, others.quantize(Decimal("0.1"))))
    return found


def dashboard(rnd):
    """Completion by expert and by application, outliers and wide panels, from two queries; and the
    submitted reviews that do not count because a conflict of interest was found afterwards (the few
    queries of ``conflicts_for_pairs``), left out of the spreads and outliers as of the results."""
    rows = db.session.execute(
        sa.select(Assignment, Review.status, Review.total)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.round_id == rnd.id, Assignment.active.is_(True))
        .options(joinedload(Assignment.expert))
        .order_by(Assignment.application_id, Assignment.expert_id)).all()
    apps = {a.id: a for a in entering_or_assigned(rnd, {a.application_id for a, _, _ in rows})}
    conflicted = conflicts_for_pairs((a.application_id, apps[a.application_id].org_id, a.expert_id)
                                     for a, status, _ in rows if status == ReviewStatus.SUBMITTED)
    by_expert, by_app, not_counted = {}, {}, []
    for app_id, application in apps.items():
        by_app[app_id] = ApplicationProgress(application, totals=[])
    for assignment, status, total in rows:
        ep = by_expert.setdefault(assignment.expert_id, ExpertProgress(assignment.expert))
        ap = by_app.setdefault(assignment.application_id, ApplicationProgress(apps.get(assignment.application_id),
                                                                              totals=[]))
        ep.assigned += 1
        ap.panel += 1
        if status == ReviewStatus.SUBMITTED:
            ep.submitted += 1
            ap.submitted += 1
            reasons = conflicted.get((assignment.application_id, assignment.expert_id))
            if reasons:
                ap.not_counted += 1
                not_counted.append(ConflictedReview(assignment, reasons))
            elif total is not None:
                ap.totals.append((assignment.expert, Decimal(total)))
        elif status == ReviewStatus.DRAFT:
            ep.draft += 1
    threshold = Decimal(rnd.spread_threshold)
    far = [Outlier(ap.application, expert, total, mean) for ap in by_app.values()
           for expert, total, mean in outliers(ap.totals, threshold)]
    wide = [ap for ap in by_app.values() if ap.spread is not None and ap.spread > threshold]
    experts = sorted(by_expert.values(), key=lambda e: (e.done, -e.not_started - e.draft, e.expert.id))
    applications = sorted(by_app.values(), key=lambda a: (a.application.number or "", a.application.id))
    return {"experts": experts, "applications": applications, "outliers": far, "wide": wide,
            "assigned": sum(e.assigned for e in experts), "submitted": sum(e.submitted for e in experts),
            "conflicted": not_counted}


def entering_or_assigned(rnd, assigned_ids):
    """The entering applications plus any that still have assignments (e.g. withdrawn after the draw)."""
    try:
        apps = entering_applications(rnd)
    except RoundRefused:
        apps = []
    missing = set(assigned_ids) - {a.id for a in apps}
    if missing:
        apps += db.session.scalars(sa.select(Application).where(Application.id.in_(missing))).all()
    return apps


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
            body = (f"{expert_user.name}专家：您在“{rnd.call.title}”{rnd.name}中还有{n}份评分未提交，"
                    f"评审截止时间为{format_datetime(rnd.closes_at)}（北京时间）。请登录平台完成评分。")
            notify(expert_user, title, body, link)
        db.session.flush()
    return len(pending)


def panels(rnd, applications):
    """{application id: [Assignment, ...]} active and inactive, with experts and reviews, one query."""
    ids = [a.id for a in applications]
    result = defaultdict(list)
    if not ids:
        return result
    rows = db.session.scalars(
        sa.select(Assignment).where(Assignment.round_id == rnd.id, Assignment.application_id.in_(ids))
        .options(joinedload(Assignment.expert), joinedload(Assignment.review))
        .order_by(Assignment.active.desc(), Assignment.id)).unique().all()
    for a in rows:
        result[a.application_id].append(a)
    return result
