"""Reads about a call's proposal shared by its operations, guards and pages: the proposal itself, the
applications and reviews still pending, the names of the expert panel, the awards whose score or rank has changed
since the proposal was made, the rows the public results page lists and the calls whose results are public
(公示与结果)."""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from grantportal.accounts.models import User
from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.awards.models import Award, AwardStatus, FinalStatus, Proposal, ProposalStatus
from grantportal.awards.proposals.ranking import final_ranking
from grantportal.calls.models import Call, CallStatus
from grantportal.core.db import db
from grantportal.review.models import Assignment, Review, ReviewStatus
from grantportal.review.results.aggregate import scored_rounds

CENT = Decimal("0.01")  # Award.final_score is Numeric(7, 2)


def proposal_of(call):
    return db.session.scalar(sa.select(Proposal).where(Proposal.call_id == call.id))


def panel_names(call):
    """The experts with active assignments in the call's scored rounds: names only, sorted; never which
    application each of them reviewed. Reads every assignment of the call: kept with the score table's check
    (``checks.py``), not read per request."""
    round_ids = [r.id for r in scored_rounds(call)]
    if not round_ids:
        return []
    names = db.session.scalars(
        sa.select(User.name).join(Assignment, Assignment.expert_id == User.id)
        .where(Assignment.round_id.in_(round_ids), Assignment.active.is_(True)).distinct()).all()
    return sorted(names)


def missing_reviews(call):
    """How many active assignments in the call's scored rounds have no submitted review."""
    round_ids = [r.id for r in scored_rounds(call)]
    if not round_ids:
        return 0
    submitted = sa.select(Review.assignment_id).where(Review.status == ReviewStatus.SUBMITTED)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).where(
        Assignment.round_id.in_(round_ids), Assignment.active.is_(True), Assignment.id.not_in(submitted)))


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
    (e.g. a review reopened, or a late conflict removed an expert's score), in the awards' order (by id: level
    and rank as generated). Compares the awards' columns read in one query; only the changed awards are loaded
    as objects (with their applications, for ``words``), so that a page showing a 10,000-award proposal does not
    build 10,000 of them."""
    ranking = ranking or final_ranking(proposal.call)
    now = {i.application_id: i for items in ranking.by_level.values() for i in items}
    changed = {}
    for award_id, app_id, status, rank, final_score in db.session.execute(
            sa.select(Award.id, Award.application_id, Award.status, Award.rank, Award.final_score)
            .where(Award.proposal_id == proposal.id)):
        item = now.get(app_id)
        score, new_rank = (item.final.quantize(CENT), item.rank) if item else (None, None)
        if status != AwardStatus.CANCELLED and (rank, final_score) != (new_rank, score):
            changed[award_id] = (score, new_rank)
    ids = sorted(changed)
    awards = {}
    for start in range(0, len(ids), 5000):  # bounded IN lists
        awards.update((a.id, a) for a in db.session.scalars(
            sa.select(Award).where(Award.id.in_(ids[start:start + 5000])).options(joinedload(Award.application))))
    return [ScoreChange(awards[award_id], *changed[award_id]) for award_id in ids]


def selected_count(proposal):
    """How many awards of the proposal are 拟入选 (one count, no award loaded)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Award).where(
        Award.proposal_id == proposal.id, Award.status == AwardStatus.SELECTED))


def changes_words(changes, limit=3):
    """The first ``limit`` changes in words, and how many there are in all."""
    shown = "；".join(c.words() for c in changes[:limit])
    return shown + (f"等{len(changes)}项" if len(changes) > limit else "")


def public_rows(proposal):
    """What the public results page lists: the selected and reserve projects, in level and rank order."""
    awards = sorted((a for a in proposal.awards if a.status in (AwardStatus.SELECTED, AwardStatus.RESERVE)),
                    key=lambda a: (list(type(a.level)).index(a.level), a.status != AwardStatus.SELECTED,
                                   a.rank or 0))
    return [{"award_id": a.id, "number": a.application.number, "title": a.application.title,
             "org": a.application.org.name, "level": a.level.label, "category": a.application.category,
             "status": a.status.label, "amount": str(a.amount), "score": str(a.final_score),
             "grade": a.grade, "reserve_position": a.reserve_position} for a in awards]


@dataclass(frozen=True)
class PublishedResults:
    """One call's published results for the public lists: its proposal (with the call), how many projects
    are selected (拟入选 during 公示, 入选 once final) and their amount."""

    proposal: Proposal
    selected: int
    amount: Decimal

    @property
    def call(self):
        return self.proposal.call

    @property
    def final(self):
        return self.proposal.status == ProposalStatus.FINAL


def _published(final_only):
    statuses = (ProposalStatus.FINAL,) if final_only else (ProposalStatus.PUBLICIZED, ProposalStatus.FINAL)
    return (Proposal.status.in_(statuses), Call.status != CallStatus.DRAFT)


def count_published_results(final_only=False):
    """How many public calls have published results (final ones only with ``final_only``)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)
                             .join(Call, Call.id == Proposal.call_id).where(*_published(final_only)))


def published_results(start, limit, final_only=False):
    """Public calls whose 公示 or final results are published, the latest publication first, with their
    selected projects counted and summed in one query (``PublishedResults``)."""
    selected = sa.case((Proposal.status == ProposalStatus.FINAL, Award.final_status == FinalStatus.SELECTED),
                       else_=Award.status == AwardStatus.SELECTED)
    sums = (sa.select(Award.proposal_id, sa.func.count().label("n"), sa.func.sum(Award.amount).label("amount"))
            .join(Proposal, Proposal.id == Award.proposal_id).where(selected)
            .group_by(Award.proposal_id).subquery())
    rows = db.session.execute(
        sa.select(Proposal, sa.func.coalesce(sums.c.n, 0), sa.func.coalesce(sums.c.amount, 0))
        .join(Call, Call.id == Proposal.call_id).outerjoin(sums, sums.c.proposal_id == Proposal.id)
        .where(*_published(final_only)).options(contains_eager(Proposal.call))
        .order_by(sa.func.coalesce(Proposal.confirmed_at, Proposal.published_at).desc(), Proposal.id.desc())
        .offset(start).limit(limit)).all()
    return [PublishedResults(p, n, Decimal(amount).quantize(CENT)) for p, n, amount in rows]
