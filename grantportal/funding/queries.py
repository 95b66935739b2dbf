"""Reads of funding shared by several pages and by the operations: a project's contract (alone, or loaded with
what a page shows of its project), what its PDF prints, the money paid and recovered on it, and whether a
call's funding settings are locked. Also the answers to lower domains' questions (``core.signals``): the
award's contract on the application's page, and which rows of the public results have a project page."""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from grantportal.applications.models import Application
from grantportal.awards.models import Award, Proposal
from grantportal.calls.tranche_plan import describe, parse_plan
from grantportal.core import signals
from grantportal.core.db import built_once, db
from grantportal.documents.render import ContractTerms, ContractTranche
from grantportal.funding import progress
from grantportal.funding.models import IN_FORCE, Contract, Payment, Recovery, Tranche, TrancheStatus


@signals.award_contract.connect
def contract_of(award):
    """The award's contract (any status), or None."""
    return db.session.scalar(sa.select(Contract).where(Contract.award_id == award.id))


@signals.award_public_projects.connect
def public_projects(award_ids):
    """{award id: contract id} for the awards whose contract is in force (their project page is public)."""
    if not award_ids:
        return {}
    return dict(db.session.execute(sa.select(Contract.award_id, Contract.id)
                                   .where(Contract.award_id.in_(award_ids), Contract.status.in_(IN_FORCE))).all())


@signals.application_progress.connect
def application_progress(application_ids):
    """What happened after 公示 to each of these applications (``funding.progress``)."""
    return progress.after_results(application_ids)


def _project_options():
    return (joinedload(Contract.award).joinedload(Award.application).joinedload(Application.org),
            joinedload(Contract.award).joinedload(Award.proposal).joinedload(Proposal.call),
            joinedload(Contract.document))


def project_contract(contract_id, *options):
    """The contract with what the pages of its project show loaded (its award, the application and its
    organization, the call, the contract's document and tranches) and ``options``; or None. Read fresh from
    the database (``populate_existing``), so a page rendered after a refusal's rollback does not query."""
    return db.session.scalar(
        sa.select(Contract).where(Contract.id == contract_id)
        .options(*_project_options(), selectinload(Contract.tranches), *options)
        .execution_options(populate_existing=True))


def project_with_money(contract_id):
    """As ``project_contract``, with its tranches, payments and recoveries too, each read by one plain query on
    its ``contract_id`` index and set as the contract's collections (a third of the time ``selectinload`` took
    for the same rows on a project's public page) — payments and recoveries only when the contract's kept sums
    say there are some; or None."""
    contract = db.session.scalar(_project_with_options(), {"contract_id": contract_id})
    if contract is None:
        return None
    for name, model in (("tranches", Tranche), ("payments", Payment), ("recoveries", Recovery)):
        if (name == "payments" and not contract.paid) or (name == "recoveries" and not contract.recovered):
            set_committed_value(contract, name, [])
            continue
        rows = db.session.scalars(_rows_of_contract(model), {"contract_id": contract.id}).all()
        set_committed_value(contract, name, rows)
    return contract


@built_once
def _project_with_options():
    return (sa.select(Contract).where(Contract.id == sa.bindparam("contract_id")).options(*_project_options())
            .execution_options(populate_existing=True))


@built_once
def _rows_of_contract(model):
    """A contract's tranches (in their order), payments or recoveries (in id order), read fresh."""
    order = model.position if model is Tranche else model.id
    return (sa.select(model).where(model.contract_id == sa.bindparam("contract_id")).order_by(order)
            .execution_options(populate_existing=True))


def contract_terms(contract):
    """What the contract PDF prints beyond the award: its term, deliverables (one per line), tranches, the
    call's tranche plan in words and contract length."""
    call = contract.award.proposal.call
    return ContractTerms(
        starts_on=contract.starts_on, ends_on=contract.ends_on,
        deliverables=[line.strip() for line in (contract.deliverables or "").splitlines() if line.strip()],
        tranches=[ContractTranche(t.position, t.percent, t.amount, t.condition.label) for t in contract.tranches],
        plan=describe(parse_plan(call.tranche_plan)), months=call.contract_months)


def call_has_contracts(call):
    """Once a call has a contract, its tranche plan, contract term and reporting interval are locked."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Contract).join(Award, Award.id == Contract.award_id)
        .join(Proposal, Proposal.id == Award.proposal_id).where(Proposal.call_id == call.id)) > 0


# --- money on a contract -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Totals:
    paid: Decimal
    recovered: Decimal

    @property
    def net(self):
        """Paid minus recovered: what the organization holds."""
        return self.paid - self.recovered


def totals_of(payments, recoveries):
    """Paid and recovered, summed from rows already loaded (a project's public page shows each of them)."""
    return Totals(sum((p.amount for p in payments), Decimal("0.00")).quantize(Decimal("0.01")),
                  sum((r.amount for r in recoveries), Decimal("0.00")).quantize(Decimal("0.01")))


def totals(contract):
    """Paid and recovered so far, summed in the database."""
    paid = db.session.scalar(sa.select(sa.func.sum(Payment.amount)).where(Payment.contract_id == contract.id))
    recovered = db.session.scalar(sa.select(sa.func.sum(Recovery.amount))
                                  .where(Recovery.contract_id == contract.id))
    return Totals(Decimal(paid or 0).quantize(Decimal("0.01")), Decimal(recovered or 0).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class MoneyEvent:
    """One line of a project's money timeline."""

    on: object  # date
    kind: str  # "payment" / "recovery"
    title: str
    amount: Decimal
    voucher_number: str
    detail: str = ""


def money_events(contract):
    """Payments and recoveries in date order, for the project timeline (the monitoring timeline may merge
    these with its reports and evaluations)."""
    payments = db.session.scalars(sa.select(Payment).where(Payment.contract_id == contract.id)
                                  .order_by(Payment.paid_on, Payment.id)).all()
    recoveries = db.session.scalars(sa.select(Recovery).where(Recovery.contract_id == contract.id)
                                    .order_by(Recovery.recovered_on, Recovery.id)).all()
    events = [MoneyEvent(p.paid_on, "payment", f"拨付第{p.tranche.position}期", p.amount, p.voucher_number)
              for p in payments]
    events += [MoneyEvent(r.recovered_on, "recovery", "追回资金", r.amount, r.voucher_number, r.reason)
               for r in recoveries]
    return sorted(events, key=lambda e: (e.on, e.kind))


def payable_tranches_by_call():
    """{call id: number of tranches whose conditions are met and that are not yet paid}
    (index ``ix_tranche_status``)."""
    return dict(db.session.execute(
        sa.select(Proposal.call_id, sa.func.count())
        .select_from(Tranche).join(Contract, Contract.id == Tranche.contract_id)
        .join(Award, Award.id == Contract.award_id).join(Proposal, Proposal.id == Award.proposal_id)
        .where(Tranche.status == TrancheStatus.PAYABLE)
        .group_by(Proposal.call_id)).all())
