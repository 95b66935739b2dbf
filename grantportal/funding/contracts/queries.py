"""Reads of the contract pages (签约): the selected project's award and its contract, each loaded with what
the officer's and the organization's contract pages show, so that the templates only format them. Both are
read fresh from the database (``populate_existing``): a page rendered after a refusal's rollback does not
query either."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, Proposal
from grantportal.core.db import db
from grantportal.funding.models import Contract


def contract_award(award_id):
    """The award with its application, the application's organization and the call; or None."""
    return db.session.scalar(
        sa.select(Award).where(Award.id == award_id)
        .options(joinedload(Award.application).joinedload(Application.org),
                 joinedload(Award.proposal).joinedload(Proposal.call))
        .execution_options(populate_existing=True))


def award_contract(award):
    """The award's contract (any status) with its document, signed scan and tranches; or None."""
    return db.session.scalar(
        sa.select(Contract).where(Contract.award_id == award.id)
        .options(joinedload(Contract.document), joinedload(Contract.signed_file), selectinload(Contract.tranches))
        .execution_options(populate_existing=True))
