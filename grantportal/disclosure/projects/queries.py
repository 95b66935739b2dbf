"""Reads of the public pages of funded projects, each bounded by what one page shows (issue 12):

- the calls with final results (a few a year: at most ``CALLS_SHOWN``), plain columns;
- a call's funded projects (final 入选) one page at a time: the page's award ids from the index
  ``ix_award_proposal_final`` (skipping earlier pages in the index alone), then only the page's rows, each with
  its money from its own contract row (``Contract.paid`` / ``Contract.recovered``) and its matched funds
  (``ix_matched_fund_award_id``, a few rows per project) — never the payments of the whole platform;
- a call's totals: summed over the call's own funded projects (up to ~11,000 in the biggest call of a national
  platform), kept per call for ``STATISTICS_CACHE_SECONDS`` as the statistics are, so that a burst of visitors
  costs one sum. The selected projects, their awards and the organizations' own contributions are fixed once
  the results are final; only money paid, recovered and matched since then can be that many seconds late.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus
from grantportal.calls.models import Call, CallCatalogueItem, CallKind, CallStatus, Level, call_title
from grantportal.core import signals
from grantportal.core.db import db, literal_ids, utcnow
from grantportal.disclosure.statistics.queries import cached
from grantportal.funding.matched.queries import Leverage
from grantportal.funding.models import IN_FORCE, Contract, ContractStatus, MatchedFund
from grantportal.orgs.models import Organization, OrgStatus

ZERO = Decimal("0.00")
CALLS_SHOWN = 200


def _money(value):
    return ZERO if value is None else Decimal(value).quantize(ZERO)


# --- the calls with final results --------------------------------------------------------------------------

@dataclass(frozen=True)
class FinalCall:
    id: int
    title: str
    kind: CallKind
    year: int
    fields: list  # the call's service fields (申报领域)
    confirmed_at: datetime | None


def final_calls(limit=CALLS_SHOWN):
    """Public calls whose results are final, the latest first (plain columns; a few calls a year)."""
    rows = db.session.execute(
        sa.select(Call.id, Call.name, Call.edition, Call.kind, Call.year, Call.service_categories,
                  Proposal.confirmed_at)
        .join(Proposal, Proposal.call_id == Call.id)
        .where(Proposal.status == ProposalStatus.FINAL, Call.status != CallStatus.DRAFT)
        .order_by(Proposal.confirmed_at.desc(), Call.id.desc()).limit(limit))
    return [FinalCall(id, call_title(edition, name), kind, year,
                      [c.strip() for c in (fields or "").splitlines() if c.strip()], confirmed_at)
            for id, name, edition, kind, year, fields, confirmed_at in rows]


def service_fields(calls):
    """The service fields of ``calls``, each once, in the order they first appear."""
    return list(dict.fromkeys(field for call in calls for field in call.fields))


# --- a call's funded projects -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CallResults:
    """What a call's projects page needs of the call and its results: plain columns in one query (the whole
    ``Call`` with its rules and the ``Proposal`` were two ORM loads, a fifth of the page)."""

    id: int
    title: str
    status: CallStatus
    proposal_id: int | None
    proposal_status: ProposalStatus | None

    @property
    def final(self):
        return self.proposal_status == ProposalStatus.FINAL


def call_results(call_id):
    """The call and its results' state, or None."""
    row = db.session.execute(
        sa.select(Call.id, Call.name, Call.edition, Call.status, Proposal.id, Proposal.status)
        .outerjoin(Proposal, Proposal.call_id == Call.id).where(Call.id == call_id)).first()
    if row is None:
        return None
    id, name, edition, status, proposal_id, proposal_status = row
    return CallResults(id, call_title(edition, name), status, proposal_id, proposal_status)


@dataclass(frozen=True)
class ProjectRow:
    """One funded project of a call as its public list shows it (plain values, no ORM objects)."""

    award_id: int
    title: str
    org_id: int
    org_name: str
    org_verified: bool
    level: Level
    contract_id: int | None
    contract_status: ContractStatus | None
    seed: Decimal
    paid: Decimal
    recovered: Decimal
    pledged: Decimal
    social: Decimal
    own: Decimal

    @property
    def public(self):
        """Whether the project has a public page (its contract is in force)."""
        return self.contract_status in IN_FORCE

    @property
    def leverage(self):
        return Leverage(self.seed, self.pledged, self.social, self.own)


def _funded(call):
    return sa.and_(Award.proposal_id == call.proposal_id, Award.final_status == FinalStatus.SELECTED)


ORDER = (Award.level, Award.rank, Award.id)  # a selected award always has a rank (awards.proposals.operations)


def funded_page(call, offset, limit):
    """``[ProjectRow]``: ``limit`` of the call's funded projects from ``offset``, by level and rank."""
    ids = sa.select(Award.id).where(_funded(call)).order_by(*ORDER).offset(offset).limit(limit).subquery()
    funds = [sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(MatchedFund.award_id == Award.id)
             .scalar_subquery() for column in (MatchedFund.pledged, MatchedFund.received)]
    rows = db.session.execute(
        sa.select(Award.id, Application.title, Organization.id, Organization.name, Organization.status, Award.level,
                  Contract.id, Contract.status, Award.amount, Contract.paid, Contract.recovered, *funds,
                  Application.matched_amount)
        .select_from(Award).join(ids, ids.c.id == Award.id)
        .join(Application, Application.id == Award.application_id)
        .join(Organization, Organization.id == Application.org_id)
        .outerjoin(Contract, Contract.award_id == Award.id)
        .order_by(*ORDER))
    return [ProjectRow(award_id, title, org_id, org_name, org_status == OrgStatus.VERIFIED, level, contract_id,
                       contract_status, *[_money(v) for v in money])
            for award_id, title, org_id, org_name, org_status, level, contract_id, contract_status, *money in rows]


@dataclass(frozen=True)
class CallTotals:
    """The sums over all the call's funded projects, when they were summed."""

    projects: int
    seed: Decimal
    paid: Decimal
    recovered: Decimal
    pledged: Decimal
    social: Decimal
    own: Decimal
    computed_at: datetime

    @property
    def leverage(self):
        return Leverage(self.seed, self.pledged, self.social, self.own)


def _sum_call(call):
    projects, *money = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(Award.amount), sa.func.sum(Contract.paid),
                  sa.func.sum(Contract.recovered), sa.func.sum(Application.matched_amount))
        .select_from(Award).join(Application, Application.id == Award.application_id)
        .outerjoin(Contract, Contract.award_id == Award.id).where(_funded(call))).one()
    seed, paid, recovered, own = (_money(v) for v in money)
    pledged, social = (_money(v) for v in db.session.execute(
        sa.select(sa.func.sum(MatchedFund.pledged), sa.func.sum(MatchedFund.received))
        .join(Award, Award.id == MatchedFund.award_id).where(_funded(call))).one())
    return CallTotals(projects, seed, paid, recovered, pledged, social, own, utcnow())


def call_totals(call):
    """``CallTotals`` of the call's (``CallResults``) funded projects, summed at most every
    ``STATISTICS_CACHE_SECONDS``."""
    return cached(("call-projects", call.proposal_id), lambda: _sum_call(call))



# --- what was bought under each catalogue item (the public catalogue page asks, core.signals) ----------------

@dataclass(frozen=True)
class Purchase:
    """A public call that names a catalogue item, with its funded projects once its results are final."""

    call_id: int
    title: str
    year: int
    status: CallStatus
    final: bool
    projects: int
    amount: Decimal


@signals.catalogue_item_purchases.connect
def catalogue_item_purchases(item_ids):
    """{item_id: [Purchase]} for the items of one catalogue page: the links by ``ix_call_catalogue_item_item``, the
    calls and their proposals in the same query, and each final call's totals from ``call_totals`` (kept per call
    like the statistics)."""
    rows = db.session.execute(
        sa.select(CallCatalogueItem.item_id, Call.id, Call.name, Call.edition, Call.year, Call.status, Proposal.id,
                  Proposal.status)
        .join(Call, Call.id == CallCatalogueItem.call_id)
        .outerjoin(Proposal, Proposal.call_id == Call.id)
        .where(CallCatalogueItem.item_id.in_(literal_ids(item_ids)), Call.status != CallStatus.DRAFT)
        .order_by(Call.year.desc(), Call.published_at.desc(), Call.id.desc())).all()
    purchases, by_call = {}, {}
    for item_id, call_id, name, edition, year, status, proposal_id, proposal_status in rows:
        if call_id not in by_call:
            results = CallResults(call_id, call_title(edition, name), status, proposal_id, proposal_status)
            totals = call_totals(results) if results.final else None
            by_call[call_id] = Purchase(call_id, results.title, year, status, results.final,
                                        totals.projects if totals else 0, totals.seed if totals else ZERO)
        purchases.setdefault(item_id, []).append(by_call[call_id])
    return purchases
