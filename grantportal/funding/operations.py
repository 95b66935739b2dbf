"""Writes of funding: preparing a selected project's contract with its tranche schedule.

Each takes the objects and the acting user, flushes under a named audit action and never commits.
"""
from calendar import monthrange
from datetime import date

import sqlalchemy as sa

from grantportal.awards.models import FinalStatus
from grantportal.calls.tranche_plan import parse_plan, schedule
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.funding.models import Contract, ContractStatus, Tranche, TrancheStatus


class FundingRefused(Exception):
    """An operation refused; ``message`` is Chinese, ``field`` the form field (or None)."""

    def __init__(self, message, field=None, status=409):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


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
