"""Reads for open data. Bulk reads walk the awards in keyset batches (``Award.id > last``) and select plain
columns, so the session keeps no objects and memory stays flat however many projects there are."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from grantportal.applications.models import Application
from grantportal.awards.models import Award, FinalStatus, Proposal, ProposalStatus
from grantportal.calls.models import Call, CallKind, CallLevel, CallStatus, Level, call_title
from grantportal.calls.sources import SharesCache, split
from grantportal.core.db import ZERO, built_once, db
from grantportal.funding.models import Contract, ContractStatus, Payment, Recovery
from grantportal.monitoring.models import Evaluation
from grantportal.opendata.permissions import PUBLIC_CONTRACT
from grantportal.orgs.models import Organization

BATCH = 1000


def final_proposal(call):
    return db.session.scalar(sa.select(Proposal).where(Proposal.call_id == call.id))


def _public_final():
    """The selected awards of final results of public calls."""
    return (sa.select(Award).join(Proposal, Proposal.id == Award.proposal_id).join(Call, Call.id == Proposal.call_id)
            .where(Proposal.status == ProposalStatus.FINAL, Award.final_status == FinalStatus.SELECTED,
                   Call.status != CallStatus.DRAFT))


def call_budget(call):
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CallLevel.budget_total), 0))
                             .where(CallLevel.call_id == call.id)) or ZERO


def funded_award_batches(call_id):
    """The call's funded projects (final 入选), with application and organization, in award order, ``BATCH`` at a
    time (a call may fund tens of thousands: its package is written batch by batch, never held whole)."""
    after, batch = 0, BATCH
    while True:
        awards = db.session.scalars(
            sa.select(Award).join(Proposal, Proposal.id == Award.proposal_id)
            .where(Proposal.call_id == call_id, Award.final_status == FinalStatus.SELECTED, Award.id > after)
            .order_by(Award.id).limit(batch).options(joinedload(Award.application).joinedload(Application.org))).all()
        if not awards:
            return
        yield awards
        after = awards[-1].id
        db.session.rollback()  # end the read transaction between batches: no long-held snapshot or lock


@dataclass
class ContractFacts:
    contract: Contract
    payments: list
    recoveries: list
    evaluations: list


def contract_facts(award_ids):
    """{award_id: ContractFacts} for the awards whose contract is public (in force)."""
    if not award_ids:
        return {}
    contracts = db.session.scalars(
        sa.select(Contract).where(Contract.award_id.in_(award_ids), Contract.status.in_(PUBLIC_CONTRACT))
        .options(selectinload(Contract.payments), selectinload(Contract.recoveries))).all()
    evaluations = defaultdict(list)
    if contracts:
        for e in db.session.scalars(sa.select(Evaluation).where(Evaluation.contract_id.in_([c.id for c in contracts]))
                                    .order_by(Evaluation.evaluated_at, Evaluation.id)):
            evaluations[e.contract_id].append(e)
    return {c.award_id: ContractFacts(
        c, sorted(c.payments, key=lambda p: (p.paid_on, p.id)),
        sorted(c.recoveries, key=lambda r: (r.recovered_on, r.id)), evaluations[c.id]) for c in contracts}


def project_facts(contract):
    """``ContractFacts`` of one contract already loaded: its payments, recoveries and evaluations, each read by
    one plain query on its ``contract_id`` index (the contract is not read again, and no ``selectinload``) — and
    only when the contract's kept sums and milestone stamps say there are some."""
    def rows(model, any_kept):
        return db.session.scalars(_facts_of(model), {"contract_id": contract.id}).all() if any_kept else []

    return ContractFacts(contract, rows(Payment, contract.paid), rows(Recovery, contract.recovered),
                         rows(Evaluation, contract.midterm_at is not None or contract.acceptance_at is not None))


FACT_ORDER = {Payment: (Payment.paid_on, Payment.id), Recovery: (Recovery.recovered_on, Recovery.id),
              Evaluation: (Evaluation.evaluated_at, Evaluation.id)}


@built_once
def _facts_of(model):
    return sa.select(model).where(model.contract_id == sa.bindparam("contract_id")).order_by(*FACT_ORDER[model])


def project_contract(contract_id):
    return db.session.scalar(_project_contract(), {"contract_id": contract_id})


@built_once
def _project_contract():
    return (sa.select(Contract).where(Contract.id == sa.bindparam("contract_id"))
            .options(joinedload(Contract.award).joinedload(Award.proposal).joinedload(Proposal.call),
                     joinedload(Contract.award).joinedload(Award.application).joinedload(Application.org)))


# --- bulk: one flat row per published award ----------------------------------------------------------------

@dataclass
class AwardRow:
    award_id: int
    call_id: int
    call_title: str
    call_year: int
    call_kind: CallKind
    level: Level
    application_number: str | None
    project_title: str
    category: str
    district: str | None
    uscc: str
    org_name: str
    amount: Decimal
    requested: Decimal
    award_date: datetime | None
    contract_id: int | None
    contract_status: ContractStatus | None
    contract_amount: Decimal | None
    contract_start: date | None
    contract_end: date | None
    paid: Decimal = ZERO
    recovered: Decimal = ZERO
    sources: tuple = ()  # the award by funding source (calls.sources.split), [] when the call records none


_COLUMNS = (Award.id, Call.id, Call.name, Call.edition, Call.year, Call.kind, Award.level, Application.number,
            Application.title, Application.category, Application.district, Organization.uscc, Organization.name,
            Award.amount, Award.requested,
            sa.func.coalesce(Proposal.confirmed_at, Proposal.ends_at, Proposal.published_at), Contract.id,
            Contract.status, Contract.amount,
            Contract.starts_on, Contract.ends_on)


def _batch(after, size):
    public_contract = sa.and_(Contract.award_id == Award.id, Contract.status.in_(PUBLIC_CONTRACT))
    return (_public_final().with_only_columns(*_COLUMNS)
            .join(Application, Application.id == Award.application_id)
            .join(Organization, Organization.id == Application.org_id)
            .outerjoin(Contract, public_contract)
            .where(Award.id > after).order_by(Award.id).limit(size))


def _sums(model, contract_ids):
    if not contract_ids:
        return {}
    return dict(db.session.execute(sa.select(model.contract_id, sa.func.sum(model.amount))
                                   .where(model.contract_id.in_(contract_ids)).group_by(model.contract_id)).all())


def award_rows(batch=BATCH):
    """Every published award as an ``AwardRow``, in award order, read ``batch`` rows at a time. Each call's
    funding sources are read once (with the first batch that has one of its awards), and each award is split
    by them in memory (``calls.sources``)."""
    after, shares = 0, SharesCache()
    while True:
        rows = db.session.execute(_batch(after, batch)).all()
        if not rows:
            return
        contract_ids = [r[16] for r in rows if r[16] is not None]
        paid, recovered = _sums(Payment, contract_ids), _sums(Recovery, contract_ids)
        shares.load({r[1] for r in rows})
        for r in rows:
            yield AwardRow(
                award_id=r[0], call_id=r[1], call_title=call_title(r[3], r[2]), call_year=r[4],
                call_kind=r[5], level=r[6], application_number=r[7], project_title=r[8], category=r[9] or "",
                district=r[10], uscc=r[11], org_name=r[12], amount=r[13], requested=r[14], award_date=r[15],
                contract_id=r[16], contract_status=r[17], contract_amount=r[18], contract_start=r[19],
                contract_end=r[20], paid=Decimal(paid.get(r[16]) or ZERO),
                recovered=Decimal(recovered.get(r[16]) or ZERO), sources=tuple(split(r[13], shares.get(r[1]))))
        after = rows[-1][0]
        db.session.rollback()  # end the read transaction between batches: no long-held snapshot or lock


def _latest(column, model):
    """``column`` of the newest row by id: rows stamped when written (payments, recoveries, evaluations) are
    in id order, so this reads one entry of the primary key, not every row."""
    return db.session.scalar(sa.select(column).order_by(model.id.desc()).limit(1))


def last_update():
    """When the published data last changed (for the 数据开放 page): the latest final results, contract
    confirmation (by its index), payment, recovery or evaluation."""
    stamps = [
        db.session.scalar(sa.select(sa.func.max(Proposal.confirmed_at))),
        db.session.scalar(sa.select(sa.func.max(Contract.confirmed_at))),
        _latest(Payment.recorded_at, Payment),
        _latest(Recovery.recorded_at, Recovery),
        _latest(Evaluation.evaluated_at, Evaluation),
    ]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


@dataclass
class DataCall:
    id: int
    title: str
    confirmed_at: datetime


def final_calls(limit=200):
    """Public calls with final results, newest first (the 数据开放 page lists their packages): id, title and
    when the results became final."""
    rows = db.session.execute(
        sa.select(Call.id, Call.edition, Call.name, Proposal.confirmed_at).join(Proposal, Proposal.call_id == Call.id)
        .where(Proposal.status == ProposalStatus.FINAL, Call.status != CallStatus.DRAFT)
        .order_by(Proposal.confirmed_at.desc(), Call.id.desc()).limit(limit))
    return [DataCall(call_id, call_title(edition, name), at) for call_id, edition, name, at in rows]


# --- feed and sitemap ----------------------------------------------------------------------------------------

@dataclass
class FeedEntry:
    kind: str  # call / publicity / final
    call_id: int
    call_title: str
    updated: datetime


def feed_entries(limit=50):
    """The newest ``limit`` events: calls published, results put to 公示, results made final (the call's id and
    title only, not whole calls)."""
    shown = (Call.id, Call.edition, Call.name)
    calls = db.session.execute(
        sa.select(*shown, Call.published_at).where(Call.status != CallStatus.DRAFT, Call.published_at.is_not(None))
        .order_by(Call.published_at.desc()).limit(limit)).all()
    published = db.session.execute(
        sa.select(*shown, Proposal.published_at).join(Proposal, Proposal.call_id == Call.id)
        .where(Call.status != CallStatus.DRAFT, Proposal.status != ProposalStatus.DRAFT,
               Proposal.published_at.is_not(None))
        .order_by(Proposal.published_at.desc()).limit(limit)).all()
    final = db.session.execute(
        sa.select(*shown, Proposal.confirmed_at).join(Proposal, Proposal.call_id == Call.id)
        .where(Call.status != CallStatus.DRAFT, Proposal.status == ProposalStatus.FINAL,
               Proposal.confirmed_at.is_not(None))
        .order_by(Proposal.confirmed_at.desc()).limit(limit)).all()
    entries = [FeedEntry(kind, call_id, call_title(edition, name), at)
               for kind, rows in (("call", calls), ("publicity", published), ("final", final))
               for call_id, edition, name, at in rows]
    entries.sort(key=lambda e: (e.updated, e.call_id), reverse=True)
    return entries[:limit]


def sitemap_calls(limit):
    """(call id, results public?, results final?) of public calls, newest first."""
    return db.session.execute(
        sa.select(Call.id, Proposal.status).outerjoin(Proposal, Proposal.call_id == Call.id)
        .where(Call.status != CallStatus.DRAFT).order_by(Call.id.desc()).limit(limit)).all()


def max_contract_id():
    return db.session.scalar(sa.select(sa.func.max(Contract.id))) or 0


def sitemap_projects(first, end):
    """Contract ids in [first, end) of public project pages, in id order (a range of the primary key)."""
    return db.session.scalars(
        _public_final().with_only_columns(Contract.id).join(Contract, Contract.award_id == Award.id)
        .where(Contract.status.in_(PUBLIC_CONTRACT), Contract.id >= first, Contract.id < end)
        .order_by(Contract.id)).all()
