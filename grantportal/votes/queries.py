"""Reads of public votes shared by their pages, the call's ranking (review asks ``core.signals.vote_round_counts``)
and 我的参与 (citizens asks ``participant_votes``); connected when the app is created (``grantportal/app.py``
imports this module). Every count is taken from the vote rows (index ``ix_vote_round_application_cast``),
never from a stored total."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.calls.models import Call, CallStatus
from grantportal.citizens.models import Citizen
from grantportal.citizens.queries import Record
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.core.masking import mask_text
from grantportal.core.paging import Pager
from grantportal.review.models import ReviewRound, RoundKind, RoundStatus
from grantportal.votes.models import Vote, VoteEntry, VoteRound, VoteStatus
from grantportal.votes.receipts import receipt_hash, shown

HASHES_PER_PAGE = 200


@dataclass
class Count:
    """One project's votes by status."""

    valid: int = 0
    flagged: int = 0
    voided: int = 0

    @property
    def total(self):
        return self.valid + self.flagged + self.voided


def vote_round(round_id):
    """(the review round of kind 公众投票 with its call, its vote settings), or None."""
    rnd = db.session.scalar(sa.select(ReviewRound).where(ReviewRound.id == round_id, ReviewRound.kind == RoundKind.VOTE)
                            .options(joinedload(ReviewRound.call)))
    if rnd is None:
        return None
    return rnd, db.session.get(VoteRound, rnd.id)


def settings_of(round_ids):
    """{round id: VoteRound} in one query."""
    if not round_ids:
        return {}
    return {s.round_id: s for s in db.session.scalars(sa.select(VoteRound).where(VoteRound.round_id.in_(round_ids)))}


def awaiting_publication(now, limit):
    """Vote rounds whose window has closed and whose tally is not published yet (the officer's 待办), earliest
    close first, with their call and the number of votes still under review (待核查) in each:
    ([(round, under review)], how many in all). Few rows: a city has a handful of vote rounds a year."""
    waiting = (sa.select(ReviewRound).join(VoteRound, VoteRound.round_id == ReviewRound.id)
               .where(ReviewRound.kind == RoundKind.VOTE, ReviewRound.closes_at < now,
                      VoteRound.opened_at.is_not(None), VoteRound.published_at.is_(None)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(waiting.subquery()))
    rounds = db.session.scalars(waiting.options(joinedload(ReviewRound.call))
                                .order_by(ReviewRound.closes_at, ReviewRound.id).limit(limit)).all()
    flagged = dict(db.session.execute(
        sa.select(Vote.round_id, sa.func.count()).where(Vote.round_id.in_([r.id for r in rounds]),
                                                        Vote.status == VoteStatus.FLAGGED)
        .group_by(Vote.round_id)).all()) if rounds else {}
    return [(r, flagged.get(r.id, 0)) for r in rounds], total


def call_vote_rounds(call_id):
    return db.session.scalars(sa.select(ReviewRound).where(ReviewRound.call_id == call_id,
                                                           ReviewRound.kind == RoundKind.VOTE)
                              .order_by(ReviewRound.position, ReviewRound.id)).all()


def public_rounds():
    """Vote rounds the public sees (open or published, on a call that is public), newest window first."""
    return db.session.scalars(
        sa.select(ReviewRound).join(Call, Call.id == ReviewRound.call_id)
        .where(ReviewRound.kind == RoundKind.VOTE, ReviewRound.status != RoundStatus.DRAFT,
               Call.status != CallStatus.DRAFT)
        .options(joinedload(ReviewRound.call)).order_by(ReviewRound.opens_at.desc(), ReviewRound.id.desc())
        .limit(100)).all()


def entries(rnd):
    """The projects in the vote, in their order, with their organizations: once open, the fixed ``VoteEntry`` list."""
    return db.session.scalars(
        sa.select(Application).join(VoteEntry, VoteEntry.application_id == Application.id)
        .where(VoteEntry.round_id == rnd.id).options(joinedload(Application.org))
        .order_by(VoteEntry.position, Application.id)).all()


def entered(round_id, application_id):
    """The project with its organization, when it is in the vote; else None."""
    return db.session.scalar(
        sa.select(Application).join(VoteEntry, VoteEntry.application_id == Application.id)
        .where(VoteEntry.round_id == round_id, Application.id == application_id).options(joinedload(Application.org)))


def tally(round_id):
    """{application id: Count} from the vote rows, one grouped query."""
    out = {}
    for app_id, status, n in db.session.execute(
            sa.select(Vote.application_id, Vote.status, sa.func.count()).where(Vote.round_id == round_id)
            .group_by(Vote.application_id, Vote.status)):
        setattr(out.setdefault(app_id, Count()), status.value, n)
    return out


@signals.vote_round_counts.connect
def valid_counts(rnd):
    """{application id: valid votes} for every entered project still submitted and not screened out."""
    counted = (sa.select(VoteEntry.application_id)
               .join(Application, Application.id == VoteEntry.application_id)
               .where(VoteEntry.round_id == rnd.id, Application.status == AppStatus.SUBMITTED,
                      Application.screening != Screening.FAILED))
    counts = dict.fromkeys(db.session.scalars(counted), 0)
    for app_id, n in db.session.execute(
            sa.select(Vote.application_id, sa.func.count()).where(Vote.round_id == rnd.id,
                                                                   Vote.status == VoteStatus.VALID)
            .group_by(Vote.application_id)):
        if app_id in counts:
            counts[app_id] = n
    return counts


def voter_votes(user_id, round_id):
    """{application id: Vote} of the citizen in the round (the page shows 已投票 and the receipt)."""
    rows = db.session.scalars(sa.select(Vote).join(Citizen, Citizen.id == Vote.citizen_id)
                              .where(Citizen.user_id == user_id, Vote.round_id == round_id)).all()
    return {v.application_id: v for v in rows}


def _own(user_id):
    return sa.select(Vote).join(Citizen, Citizen.id == Vote.citizen_id).where(Citizen.user_id == user_id)


def _project():
    return joinedload(Vote.application).joinedload(Application.org)


def own_page(user_id, page, per_page):
    total = db.session.scalar(sa.select(sa.func.count()).select_from(_own(user_id).subquery()))
    pager = Pager(total, page, per_page)
    pager.items = db.session.scalars(_own(user_id).options(_project(), joinedload(Vote.round))
                                     .order_by(Vote.cast_at.desc(), Vote.id.desc())
                                     .offset(pager.start).limit(per_page)).all()
    return pager


def vote_for_page(vote_id):
    """The vote with its project, organization, round, flags and voter loaded; or None (read fresh)."""
    return db.session.scalar(
        sa.select(Vote).where(Vote.id == vote_id)
        .options(_project(), joinedload(Vote.round).joinedload(ReviewRound.call),
                 joinedload(Vote.citizen).joinedload(Citizen.user), selectinload(Vote.flags))
        .execution_options(populate_existing=True))


def status_words(vote):
    """The vote's status as its voter reads it."""
    if vote.status == VoteStatus.VOIDED:
        return f"无效（{vote.decision_reason}）"
    if vote.status == VoteStatus.FLAGGED:
        return "待核查（核查期间暂不计入）"
    return "有效"


@signals.participant_votes.connect
def votes_of(sender):
    """A citizen's latest votes for 我的参与 (``sender``: user id, how many), and how many in all."""
    user_id, limit = sender
    pager = own_page(user_id, 1, limit)
    return [Record(f"{v.application.title}（回执码 {shown(v.receipt)}）", v.cast_at, status_words(v),
                   url_for("votes.receipt", vote_id=v.id)) for v in pager.items], pager.total


def queue_page(round_id, status, page, per_page):
    """The officers' review queue of a round: counts by status and the page of ``status`` (None: all), oldest
    first, with each vote's project, voter and flags."""
    counts = dict(db.session.execute(sa.select(Vote.status, sa.func.count()).where(Vote.round_id == round_id)
                                     .group_by(Vote.status)).all())
    total = counts.get(status, 0) if status is not None else sum(counts.values())
    pager = Pager(total, page, per_page)
    query = (sa.select(Vote).where(Vote.round_id == round_id)
             .options(_project(), joinedload(Vote.citizen), selectinload(Vote.flags))
             .order_by(Vote.id).offset(pager.start).limit(per_page))
    if status is not None:
        query = query.where(Vote.status == status)
    pager.items = db.session.scalars(query).all()
    return counts, pager


def recent_from(ip, since):
    """Votes cast from ``ip`` since ``since`` (the challenge asks a question past a number of them)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Vote).where(Vote.ip == ip, Vote.cast_at >= since))


# --- the published tally ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublishedVote:
    hash: str
    status: VoteStatus
    reason: str | None  # why a voided vote was voided (the officer's words, personal numbers masked)


def _public_reason(status, reason):
    return mask_text(reason) if status == VoteStatus.VOIDED else None


def published_hashes(settings, application_id, page, per_page=HASHES_PER_PAGE):
    """A page of one project's receipt hashes, in the order of the hashes (which says nothing of when anyone
    voted): computed from the vote rows with the round's salt."""
    rows = db.session.execute(sa.select(Vote.receipt, Vote.status, Vote.decision_reason).where(
        Vote.round_id == settings.round_id, Vote.application_id == application_id)).all()
    listed = sorted((PublishedVote(receipt_hash(settings.salt, code), status,
                                   _public_reason(status, reason)) for code, status, reason in rows),
                    key=lambda v: v.hash)
    pager = Pager(len(listed), page, per_page)
    pager.items = listed[pager.start:pager.start + per_page]
    return pager


def all_published(settings):
    """Every vote of the round as published: (application id, PublishedVote), by project then hash."""
    rows = db.session.execute(sa.select(Vote.application_id, Vote.receipt, Vote.status, Vote.decision_reason)
                              .where(Vote.round_id == settings.round_id)).all()
    out = [(app_id, PublishedVote(receipt_hash(settings.salt, code), status, _public_reason(status, reason)))
           for app_id, code, status, reason in rows]
    out.sort(key=lambda row: (row[0], row[1].hash))
    return out


def find_receipt(round_id, code):
    """The vote of the round with this receipt code (normalized), with its project; or None."""
    return db.session.scalar(sa.select(Vote).where(Vote.round_id == round_id, Vote.receipt == code)
                             .options(_project()))
