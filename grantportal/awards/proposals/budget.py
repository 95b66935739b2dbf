"""Each level's budget in a proposal: what is allocated, what is reserved for 3A and above, what is left.

Two constraints hold at every moment, per level (B = budget, R = the reserved share for 3A+):
  all selected amounts ≤ B, and selected amounts of organizations below 3A ≤ B − R.
Every write that changes a selected amount first locks the proposal row (``lock_proposal``), then reads
the sums, so two officers acting at the same moment are serialized on PostgreSQL; SQLite has one writer.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from grantportal.awards.models import Award, AwardStatus, Proposal
from grantportal.calls.tier_rules import RESERVED_MIN_RANK, reserved_amount
from grantportal.core.db import db, lock_row

ZERO = Decimal("0.00")
PRIORITY_GRADES = ("5A", "4A", "3A")
assert all(int(g[0]) >= RESERVED_MIN_RANK for g in PRIORITY_GRADES)


def uses_reserve(grade_value):
    """Whether an award's grade ("5A" … "1A", None) may draw on the share reserved for 3A and above."""
    return grade_value in PRIORITY_GRADES


@dataclass
class LevelBudget:
    level: object  # calls.models.Level
    budget: Decimal
    reserved: Decimal  # reserved for 3A and above
    allocated: Decimal = ZERO  # selected amounts, all grades
    allocated_open: Decimal = ZERO  # selected amounts of organizations below 3A (or unrated)
    min_grant: Decimal = ZERO
    max_grant: Decimal = ZERO

    @property
    def remaining(self):
        return self.budget - self.allocated

    @property
    def open_remaining(self):
        """What organizations below 3A may still receive."""
        return min(self.remaining, self.budget - self.reserved - self.allocated_open)

    def room_for(self, grade_value):
        return self.remaining if uses_reserve(grade_value) else self.open_remaining

    def add(self, grade_value, amount):
        self.allocated += amount
        if not uses_reserve(grade_value):
            self.allocated_open += amount


def lock_proposal(proposal):
    """Lock the proposal row until commit (PostgreSQL; SQLite has one writer) and reload it."""
    return lock_row(Proposal, proposal.id, reload=True)


def level_budgets(call, rules, proposal=None, exclude_award_id=None):
    """``{Level: LevelBudget}`` for the call's levels, with the proposal's selected amounts summed in one
    query (leaving out ``exclude_award_id``, the award being changed)."""
    budgets = {lv.level: LevelBudget(lv.level, lv.budget_total, reserved_amount(rules, lv.budget_total),
                                     min_grant=lv.min_grant, max_grant=lv.max_grant) for lv in call.levels}
    if proposal is None or proposal.id is None:
        return budgets
    query = (sa.select(Award.level, Award.grade, sa.func.sum(Award.amount))
             .where(Award.proposal_id == proposal.id, Award.status == AwardStatus.SELECTED)
             .group_by(Award.level, Award.grade))
    if exclude_award_id is not None:
        query = query.where(Award.id != exclude_award_id)
    for level, grade, total in db.session.execute(query):
        if level in budgets:
            budgets[level].add(grade, Decimal(total or 0).quantize(Decimal("0.01")))
    return budgets
