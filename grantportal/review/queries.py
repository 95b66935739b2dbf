"""Reads about review that lower domains ask for (``core.signals``): the experts domain's pool pages and
its affiliation rule, and the applicant's view of published results on the application's page.
Connected when the app is created (``grantportal/app.py`` imports this module)."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from grantportal.applications.models import Application
from grantportal.core import signals
from grantportal.core.db import db
from grantportal.orgs.models import Organization
from grantportal.review.models import (
    Assignment,
    DefenceSlot,
    Review,
    ReviewRound,
    ReviewStatus,
    RoundKind,
    RoundStatus,
)
from grantportal.review.results.aggregate import applicant_results


@signals.expert_open_assignments.connect
def open_assignment_counts(user_ids):
    """{expert user id: active assignments whose review is not submitted}, one grouped query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(Assignment.expert_id, sa.func.count(Assignment.id))
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.expert_id.in_(user_ids), Assignment.active.is_(True),
               sa.or_(Review.id.is_(None), Review.status != ReviewStatus.SUBMITTED))
        .group_by(Assignment.expert_id))
    return dict(rows.all())


@signals.expert_assignment_history.connect
def assignment_history(sender):
    """The expert's latest assignments, newest first: ``sender`` is (user id, how many)."""
    user_id, limit = sender
    return db.session.scalars(
        sa.select(Assignment).where(Assignment.expert_id == user_id)
        .options(selectinload(Assignment.round), selectinload(Assignment.application),
                 selectinload(Assignment.review))
        .order_by(Assignment.id.desc()).limit(limit)).all()


@signals.affiliation_in_running_review.connect
def in_running_review(uscc):
    """Whether an application of the organization with this USCC is in a call whose review round is not
    closed: the expert's affiliation with it keeps them out of that review."""
    running = db.session.scalar(
        sa.select(sa.func.count(Application.id))
        .join(Organization, Organization.id == Application.org_id)
        .join(ReviewRound, ReviewRound.call_id == Application.call_id)
        .where(Organization.uscc == uscc, ReviewRound.status != RoundStatus.CLOSED, ReviewRound.kind != RoundKind.VOTE))
    return bool(running)


@signals.application_review_results.connect
def application_results(application):
    """The published rounds' aggregated scores and anonymised comments (``aggregate.applicant_results``)."""
    return applicant_results(application)


@signals.application_defence_slots.connect
def application_defence_slots(application):
    """The application's 答辩/路演 slots (time, place, what to bring, attendance), earliest first, with rounds."""
    return db.session.scalars(sa.select(DefenceSlot).where(DefenceSlot.application_id == application.id)
                              .options(selectinload(DefenceSlot.round)).order_by(DefenceSlot.starts_at)).all()


def rounds_past_deadline(now, limit=50):
    """Expert rounds still open (评审中) after their closing time, oldest deadline first, with their call
    (index ``ix_review_round_status_closes``). A public vote past its window is the votes domain's to publish."""
    return db.session.scalars(
        sa.select(ReviewRound).where(ReviewRound.status == RoundStatus.OPEN, ReviewRound.closes_at < now,
                                     ReviewRound.kind != RoundKind.VOTE)
        .options(selectinload(ReviewRound.call)).order_by(ReviewRound.closes_at, ReviewRound.id).limit(limit)).all()


def count_rounds_past_deadline(now):
    return db.session.scalar(sa.select(sa.func.count()).select_from(ReviewRound)
                             .where(ReviewRound.status == RoundStatus.OPEN, ReviewRound.closes_at < now,
                                    ReviewRound.kind != RoundKind.VOTE))
