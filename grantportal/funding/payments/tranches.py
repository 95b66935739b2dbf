"""Tranche state (分期拨付的状态), derived from data in one place.

A tranche's status is never set by hand: ``tranche_states(contract)`` works it out from funding's own rows
— the contract's status, the milestones monitoring stamped on it (``payments.operations.record_milestone``: the
latest 中期评估 and 结项验收, passed or not) and the payments — and ``payments.operations.refresh_tranches`` writes
the result onto the ``Tranche`` rows (status, blocked_reason) so that lists can read it. ``Tranche.status``
is a cache of this derivation.

That is why a tranche has no ``core.workflow.StateMachine``: nobody takes a step on a tranche. Its status
follows from other steps, each with its own owner and checks — the contract's (``contracts.operations.CONTRACT``:
签署确认 makes 合同签订后 tranches payable, 终止 pauses every unpaid one), an evaluation's (monitoring) and a
payment's (``record_payment``, which asks ``state_of(…).payable`` and shows ``refusal()``). A machine would
have to invent actors and guards for moves that are really recomputations (a 中期评估 passed after a failed
one turns 暂停拨付 back into 可拨付 for whoever recorded it; a refresh writes whatever the rows now say).

The rules (DESIGN.md §4 "Money"):

- 合同签订后: met when the contract is 履行中 (ACTIVE) or 已结项 (CLOSED);
- 中期评估合格后: met when the latest 中期评估 passed (合格 or better);
- 结项验收合格后: met when the latest 结项验收 passed;
- a failed 中期评估 (the latest one graded 不合格) blocks every tranche tied to a later milestone
  (中期评估合格后 and 结项验收合格后): 暂停拨付, with the reason, until a later 中期评估 passes;
- a terminated contract (已终止) blocks every tranche not yet fully paid;
- a pause stamped by monitoring while an 整改 is open (``Contract.paused_reason``, DESIGN.md §4: "while an 整改
  is open, later tranches are paused") blocks every tranche not yet fully paid, with that reason, until
  monitoring releases it;
- a tranche whose payments reach its amount is 已拨付 whatever happened later (recoveries are
  recorded against the contract, not against a tranche, and do not reopen it).
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from grantportal.calls.tranche_plan import TrancheCondition
from grantportal.core.db import db
from grantportal.funding.models import ContractStatus, Payment, TrancheStatus

ZERO = Decimal("0.00")
SIGNED_STATES = (ContractStatus.ACTIVE, ContractStatus.CLOSED)

# why a tranche cannot be paid yet: "{missing}，第{n}期不能拨付。"
MISSING = {
    TrancheCondition.SIGNED: "合同尚未签订生效",
    TrancheCondition.MIDTERM: "中期评估尚未合格",
    TrancheCondition.ACCEPTANCE: "结项验收尚未合格",
}
MIDTERM_FAILED = "中期评估不合格，暂停拨付；须重新评估合格后方可拨付。"
TERMINATED = "合同已终止，停止拨付。"


@dataclass(frozen=True)
class TrancheState:
    tranche: object
    status: TrancheStatus
    paid: Decimal  # paid on this tranche so far
    blocked_reason: str | None = None
    missing: str | None = None  # why it is not payable yet (未到拨付条件)

    @property
    def remaining(self):
        return max(self.tranche.amount - self.paid, ZERO)

    @property
    def percent_text(self):
        """50 / 33.33 (no trailing zeros, never 5E+1)."""
        return f"{self.tranche.percent.normalize():f}"

    @property
    def payable(self):
        return self.status == TrancheStatus.PAYABLE

    def refusal(self):
        """The Chinese reason this tranche cannot be paid now, or None."""
        n = self.tranche.position
        if self.status == TrancheStatus.PAID:
            return f"第{n}期已全额拨付。"
        if self.status == TrancheStatus.BLOCKED:
            return f"第{n}期暂停拨付：{self.blocked_reason}"
        if self.status == TrancheStatus.WAITING:
            return f"{self.missing}，第{n}期不能拨付。"
        return None


def paid_by_tranche(contract, payments=None):
    """{tranche id: amount paid}, summed in the database (fresh even when the collection is stale), or from
    ``payments`` when a read-only page has them loaded."""
    if payments is not None:
        paid = {}
        for p in payments:
            paid[p.tranche_id] = paid.get(p.tranche_id, ZERO) + p.amount
        return paid
    rows = db.session.execute(sa.select(Payment.tranche_id, sa.func.sum(Payment.amount))
                              .where(Payment.contract_id == contract.id).group_by(Payment.tranche_id))
    return {tranche_id: Decimal(total or 0) for tranche_id, total in rows}


def tranche_states(contract, payments=None):
    """``[TrancheState]`` in position order, worked out from the contract's status, its latest 中期评估 and
    结项验收 (as stamped on it) and its payments (see the module docstring for the rules) — summed in the
    database, or from ``payments`` (all of the contract's, already loaded) on a page that only reads."""
    midterm_failed = contract.midterm_passed is False
    met = {
        TrancheCondition.SIGNED: contract.status in SIGNED_STATES,
        TrancheCondition.MIDTERM: contract.midterm_passed is True,
        TrancheCondition.ACCEPTANCE: contract.acceptance_passed is True,
    }
    paid = paid_by_tranche(contract, payments)
    states = []
    for tranche in sorted(contract.tranches, key=lambda t: t.position):
        done = paid.get(tranche.id, ZERO)
        if done >= tranche.amount:
            states.append(TrancheState(tranche, TrancheStatus.PAID, done))
        elif contract.status == ContractStatus.TERMINATED:
            states.append(TrancheState(tranche, TrancheStatus.BLOCKED, done, blocked_reason=TERMINATED))
        elif contract.paused_reason:
            states.append(TrancheState(tranche, TrancheStatus.BLOCKED, done, blocked_reason=contract.paused_reason))
        elif midterm_failed and tranche.condition != TrancheCondition.SIGNED:
            states.append(TrancheState(tranche, TrancheStatus.BLOCKED, done, blocked_reason=MIDTERM_FAILED))
        elif met[tranche.condition]:
            states.append(TrancheState(tranche, TrancheStatus.PAYABLE, done))
        else:
            states.append(TrancheState(tranche, TrancheStatus.WAITING, done, missing=MISSING[tranche.condition]))
    return states


def state_of(contract, tranche):
    return next(s for s in tranche_states(contract) if s.tranche.id == tranche.id)
