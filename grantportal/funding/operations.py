"""Writes of funding: preparing a selected project's contract with its tranche schedule, and the facts
monitoring reports about the project (its milestones, its closure), which the tranches depend on.

Each takes the objects and the acting user, flushes under a named audit action and never commits.
"""
from calendar import monthrange
from datetime import date

import sqlalchemy as sa

from grantportal.awards.models import FinalStatus
from grantportal.calls.tranche_plan import TrancheCondition, parse_plan, schedule
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.funding.models import Contract, ContractStatus, Tranche, TrancheStatus
from grantportal.funding.tranches import refresh_tranches


class FundingRefused(Refused):
    """A funding operation refused (``core.errors.Refused``: message, field, status)."""


def add_months(day, months):
    """The same day ``months`` later, or the month's last day (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def contract_of(award):
    return db.session.scalar(sa.select(Contract).where(Contract.award_id == award.id))


def prepare_contract(award, user, starts_on):
    """The contract of a selected project (final result 入选): amount = the award, term = the call's
    ``contract_months`` from ``starts_on`` (the day before the same date that many months later), the
    tranches from the call's plan; deliverables from the application's objectives. Idempotent: returns
    the existing contract if there is one."""
    existing = contract_of(award)
    if existing is not None:
        return existing
    if award.final_status != FinalStatus.SELECTED:
        raise FundingRefused("只有最终入选的项目才能签订合同。")
    call = award.proposal.call
    plan = schedule(parse_plan(call.tranche_plan), award.amount)
    ends_on = date.fromordinal(add_months(starts_on, call.contract_months).toordinal() - 1)
    with audit_action("contract.prepare"):
        contract = Contract(award=award, status=ContractStatus.DRAFT, amount=award.amount, starts_on=starts_on,
                            ends_on=ends_on, deliverables=award.application.objectives or "")
        contract.tranches = [Tranche(position=t.position, percent=t.percent, amount=t.amount, condition=t.condition,
                                     status=TrancheStatus.WAITING) for t in plan]
        db.session.add(contract)
        db.session.flush()
    return contract


# --- what monitoring tells funding ------------------------------------------------------------------------
# Evaluations and closure are monitoring's; funding keeps only the facts its tranches depend on, stamped on
# the contract by these operations, so that it never reads monitoring's tables.

MILESTONE_FIELDS = {  # condition: (passed, evaluated at) columns of Contract
    TrancheCondition.MIDTERM: ("midterm_passed", "midterm_at"),
    TrancheCondition.ACCEPTANCE: ("acceptance_passed", "acceptance_at"),
}


def record_milestone(contract, condition, passed, at, user):
    """A 中期评估 or 结项验收 (``condition``) was recorded, ``passed`` or not, evaluated at ``at``: the contract
    keeps the latest one of each (by time; of two with the same time, the one recorded last, as the
    evaluations are ordered), then its tranches are refreshed. Returns the ``[TrancheState]``."""
    if condition not in MILESTONE_FIELDS:
        raise ValueError(f"{condition} is not a milestone monitoring reports")
    passed_field, at_field = MILESTONE_FIELDS[condition]
    with audit_action("contract.milestone"):
        stamped = getattr(contract, at_field)
        if stamped is None or at >= stamped:
            setattr(contract, passed_field, bool(passed))
            setattr(contract, at_field, at)
            db.session.flush()
    return refresh_tranches(contract)


def close_contract(contract, user, at):
    """结项: the contract is 已结项 from ``at``. Monitoring decides when (accepted, every tranche paid)."""
    with audit_action("contract.close"):
        contract.status, contract.closed_at = ContractStatus.CLOSED, at
        db.session.flush()
    return contract
