"""Review panels: drawing experts at random (recorded, replayable), adding one by hand with a reason, and
replacing a panel member. The pure rules of the draw are in ``draw.py``; this module loads the pool, locks
the round and writes the draws and assignments. Every write is audited, flushes, and leaves the commit to
the request."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grantportal.accounts.models import User
from grantportal.applications.operations import stamp_review_started
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row, utcnow
from grantportal.core.errors import Refused
from grantportal.core.roles import Role
from grantportal.experts.conflicts import conflict_reasons
from grantportal.experts.models import Conflict, ExpertProfile
from grantportal.review.models import (
    Assignment,
    AssignmentSource,
    Draw,
    PanelMode,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundStatus,
)
from grantportal.review.panels import draw as drawing
from grantportal.review.rounds.operations import (
    RoundRefused,
    entering_applications,
    is_drawable_state,
    lock_round,
)


class NotEnoughExperts(Refused):
    """Too few experts can be drawn; nothing was saved. The message is Chinese; on the replacement form it
    belongs next to the expert's choice."""

    def __init__(self, message):
        super().__init__(message, field="expert_id")


class PanelFull(Refused):
    """The panel already has its members (e.g. a double-clicked draw); nothing was drawn."""


class ConflictRefused(Refused):
    """The expert has a conflict of interest with the application and can never be assigned."""

    def __init__(self, reasons):
        self.reasons = reasons
        super().__init__("该专家与此申报存在利益冲突，依规回避，不能指派：" + "；".join(r.reason for r in reasons))


class AssignmentRefused(Refused):
    """The chosen expert cannot be added (not drawable, already on the panel, at a limit …): shown next to the
    expert's choice."""

    def __init__(self, message):
        super().__init__(message, field="expert_id")


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


def _record_draw(rnd, application, user, kept, excluded, size, seed=None):
    seed = seed or drawing.new_seed()
    order = drawing.label_order(kept, excluded)
    picked = drawing.pick_in_order(order, kept, seed, size)
    record = Draw(round_id=rnd.id, application_id=application.id if application is not None else None,
                  seed=seed, size=size, candidates=kept, excluded=excluded, picked=picked, public_order=order,
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


def check_manual(rnd, application, expert_user, pool):
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
    check_manual(rnd, application, expert_user, pool)
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
        check_manual(rnd, application, expert_user, pool)
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
