"""Reads about awards that lower domains ask for (``core.signals``): the applicant's award on the
application's page and the call's published proposal on the call's public page. Connected when the app
is created (``grantportal/app.py`` imports this module)."""
import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from grantportal.awards.models import Award, Objection, ObjectionStatus, Proposal, ProposalStatus
from grantportal.awards.proposals.queries import proposal_of
from grantportal.citizens.queries import Record
from grantportal.core import signals
from grantportal.core.db import db


@signals.application_award.connect
def award_for_applicant(application):
    """The application's award, with its proposal, once the proposal is published (公示中 or final),
    else None: before publication the applicant sees nothing of the proposal."""
    if application.id is None:
        return None
    return db.session.scalar(
        sa.select(Award).join(Proposal, Proposal.id == Award.proposal_id)
        .where(Award.application_id == application.id, Proposal.status != ProposalStatus.DRAFT)
        .options(joinedload(Award.proposal)))


@signals.call_public_proposal.connect
def public_proposal(call):
    """The call's proposal once published, else None."""
    proposal = proposal_of(call)
    return proposal if proposal is not None and proposal.is_public else None


@signals.participant_objections.connect
def objections_of(sender):
    """A person's latest objections for 我的参与 (``sender``: user id, how many), and how many in all."""
    user_id, limit = sender
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Objection)
                              .where(Objection.filed_by_id == user_id))
    if not total:
        return [], 0
    rows = db.session.scalars(
        sa.select(Objection).where(Objection.filed_by_id == user_id)
        .options(joinedload(Objection.award).joinedload(Award.application))
        .order_by(Objection.filed_at.desc(), Objection.id.desc()).limit(limit)).all()
    return [Record(o.award.application.title, o.filed_at, o.status.label,
                   url_for("objections.detail", objection_id=o.id)) for o in rows], total


def open_objections_by_call():
    """{call id: number of objections waiting for an officer's decision} (index ``ix_objection_status``)."""
    return dict(db.session.execute(
        sa.select(Proposal.call_id, sa.func.count())
        .select_from(Objection).join(Award, Award.id == Objection.award_id)
        .join(Proposal, Proposal.id == Award.proposal_id)
        .where(Objection.status == ObjectionStatus.RECEIVED)
        .group_by(Proposal.call_id)).all())
