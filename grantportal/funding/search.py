"""Funded projects in the public index (core/search.py): a project is public from the day its signed
contract is confirmed (funding.models.IN_FORCE), as its page is. Applicants' free-text descriptions are not
indexed (they are not published as data either); the title, service field, organization and call are."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, Proposal
from grantportal.calls.models import Call, CallStatus
from grantportal.core.db import db
from grantportal.core.search import Index, register
from grantportal.core.timeutil import to_local
from grantportal.funding.models import IN_FORCE, Contract
from grantportal.orgs.models import Organization


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


def _changed(obj, *names):
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _contracts_of_org(org):
    """A renamed organization's projects (the name is their subtitle and searchable)."""
    if not _changed(org, "name"):
        return None
    return (sa.select(Contract.id).join(Award, Award.id == Contract.award_id)
            .join(Application, Application.id == Award.application_id).where(Application.org_id == org.id))


def _contracts_of_call(call):
    """A call's projects when what they show of it changes: its title, year, or a return to draft."""
    if not _changed(call, "name", "edition", "year", "status"):
        return None
    return (sa.select(Contract.id).join(Award, Award.id == Contract.award_id)
            .join(Proposal, Proposal.id == Award.proposal_id).where(Proposal.call_id == call.id))


PROJECTS = register(Index(kind="project", model=Contract, entry=entry, load=load,
                          watch={Contract: lambda contract: contract},
                          fan_out={Organization: _contracts_of_org, Call: _contracts_of_call}))
