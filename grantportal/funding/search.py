"""Funded projects in the public index (core/search.py): a project is public from the day its signed
contract is confirmed (funding.models.IN_FORCE), as its page is. Applicants' free-text descriptions are not
indexed (they are not published as data either); the title, service field, organization and call are."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, Proposal
from grantportal.calls.models import CallStatus
from grantportal.core.db import db
from grantportal.core.search import Index, register
from grantportal.core.timeutil import to_local
from grantportal.funding.models import IN_FORCE, Contract


def entry(contract, today):
    call = contract.award.proposal.call
    if contract.status not in IN_FORCE or call.status == CallStatus.DRAFT:
        return None
    application = contract.award.application
    org = application.org
    return {
        "title": application.title[:200], "subtitle": org.name[:200], "category": contract.status.value,
        "fields": application.category or "", "district": application.district, "tier": None,
        "year": call.year, "amount": contract.amount,
        "happened_on": to_local(contract.confirmed_at).date() if contract.confirmed_at else contract.starts_on,
        "changes_on": None,
        "text": " ".join([application.category or "", org.name, call.title, application.district or ""]),
    }


def load(ids):
    return db.session.scalars(sa.select(Contract).where(Contract.id.in_(ids)).options(
        joinedload(Contract.award).joinedload(Award.application).joinedload(Application.org),
        joinedload(Contract.award).joinedload(Award.proposal).joinedload(Proposal.call))).all()


PROJECTS = register(Index(kind="project", model=Contract, entry=entry, load=load,
                          watch={Contract: lambda contract: contract}))
