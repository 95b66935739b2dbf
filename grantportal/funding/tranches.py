"""Tranche state (分期拨付的状态), derived from data in one place, and the call's funding settings.

A tranche's status is never set by hand: ``tranche_states(contract)`` works it out from funding's own rows
— the contract's status, the milestones monitoring stamped on it (``operations.record_milestone``: the
latest 中期评估 and 结项验收, passed or not) and the payments — and ``refresh_tranches`` writes the result
onto the ``Tranche`` rows (status, blocked_reason) so that lists can read it.

The rules (DESIGN.md §4 "Money"):

- 合同签订后: met when the contract is 履行中 (ACTIVE) or 已结项 (CLOSED);
- 中期评估合格后: met when the latest 中期评估 passed (合格 or better);
- 结项验收合格后: met when the latest 结项验收 passed;
- a failed 中期评估 (the latest one graded 不合格) blocks every tranche tied to a later milestone
  (中期评估合格后 and 结项验收合格后): 暂停拨付, with the reason, until a later 中期评估 passes;
- a terminated contract (已终止) blocks every tranche not yet fully paid;
- a tranche whose payments reach its amount is 已拨付 whatever happened later (recoveries are
  recorded against the contract, not against a tranche, and do not reopen it).
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from grantportal.awards.models import Award, Proposal
from grantportal.calls.tranche_plan import PlanError, TrancheCondition, as_setting, parse_plan
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.funding.models import Contract, ContractStatus, Payment, TrancheStatus

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


def paid_by_tranche(contract):
    """{tranche id: amount paid}, summed in the database (fresh even when the collection is stale)."""
    rows = db.session.execute(sa.select(Payment.tranche_id, sa.func.sum(Payment.amount))
                              .where(Payment.contract_id == contract.id).group_by(Payment.tranche_id))
    return {tranche_id: Decimal(total or 0) for tranche_id, total in rows}


def tranche_states(contract):
    """``[TrancheState]`` in position order, worked out from the contract's status, its latest 中期评估 and
    结项验收 (as stamped on it) and its payments (see the module docstring for the rules)."""
    midterm_failed = contract.midterm_passed is False
    met = {
        TrancheCondition.SIGNED: contract.status in SIGNED_STATES,
        TrancheCondition.MIDTERM: contract.midterm_passed is True,
        TrancheCondition.ACCEPTANCE: contract.acceptance_passed is True,
    }
    paid = paid_by_tranche(contract)
    states = []
    for tranche in sorted(contract.tranches, key=lambda t: t.position):
        done = paid.get(tranche.id, ZERO)
        if done >= tranche.amount:
            states.append(TrancheState(tranche, TrancheStatus.PAID, done))
        elif contract.status == ContractStatus.TERMINATED:
            states.append(TrancheState(tranche, TrancheStatus.BLOCKED, done, blocked_reason=TERMINATED))
        elif midterm_failed and tranche.condition != TrancheCondition.SIGNED:
            states.append(TrancheState(tranche, TrancheStatus.BLOCKED, done, blocked_reason=MIDTERM_FAILED))
        elif met[tranche.condition]:
            states.append(TrancheState(tranche, TrancheStatus.PAYABLE, done))
        else:
            states.append(TrancheState(tranche, TrancheStatus.WAITING, done, missing=MISSING[tranche.condition]))
    return states


def state_of(contract, tranche):
    return next(s for s in tranche_states(contract) if s.tranche.id == tranche.id)


def refresh_tranches(contract):
    """Write each tranche's derived status and blocked reason onto its row (flush, never commit).

    Call it after anything that changes what a tranche depends on: ``operations.record_milestone`` after
    monitoring reports a 中期评估 / 结项验收, the contract operations after the contract's status changes
    (签署确认, 结项, 终止), and ``payments.record_payment`` after each payment. It is idempotent and only writes rows
    whose status changed. Returns the ``[TrancheState]``."""
    states = tranche_states(contract)
    changed = [s for s in states
               if (s.tranche.status, s.tranche.blocked_reason) != (s.status, s.blocked_reason)]
    if changed:
        with audit_action("tranche.refresh"):
            for s in changed:
                s.tranche.status, s.tranche.blocked_reason = s.status, s.blocked_reason
            db.session.flush()
    return states


# --- the call's funding settings ------------------------------------------------------------------------

MAX_CONTRACT_MONTHS = 36  # DESIGN.md §4: up to 3 years for stable services
MAX_REPORT_EVERY = 12


LOCKED = "本征集已有项目生成合同，拨付计划、合同期限和报告周期已锁定，不能再修改。"


class SettingsRefused(Refused):
    """The call's funding settings refused, with a message per field: ``messages`` is {field name: [Chinese
    message]} (``plan`` for the tranche plan as a whole); ``message`` joins them all."""

    status = 400

    def __init__(self, messages, status=None):
        super().__init__("；".join(m for ms in messages.values() for m in ms), status=status)
        self.messages = messages


def call_has_contracts(call):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Contract).join(Award, Award.id == Contract.award_id)
        .join(Proposal, Proposal.id == Award.proposal_id).where(Proposal.call_id == call.id)) > 0


def update_funding_settings(call, user, plan, contract_months, report_every_months):
    """Save the call's tranche plan (``[{"percent": "50", "condition": "signed"}, …]``), contract term
    and reporting interval. Refused (409) once any contract of the call exists: contracts copy the plan
    when they are prepared, so a later change would make the call say one thing and the contracts another."""
    if call_has_contracts(call):
        raise SettingsRefused({"plan": [LOCKED]}, 409)
    errors = {}
    try:
        parsed = parse_plan(plan)
    except PlanError as e:
        errors["plan"] = e.messages
    if not 1 <= contract_months <= MAX_CONTRACT_MONTHS:
        errors["contract_months"] = [f"合同期限须为1至{MAX_CONTRACT_MONTHS}个月。"]
    if not 1 <= report_every_months <= MAX_REPORT_EVERY:
        errors["report_every_months"] = [f"进度报告周期须为1至{MAX_REPORT_EVERY}个月。"]
    elif report_every_months > contract_months:
        errors["report_every_months"] = ["进度报告周期不能长于合同期限。"]
    if errors:
        raise SettingsRefused(errors)
    with audit_action("call.funding_settings"):
        call.tranche_plan = as_setting(parsed)
        call.contract_months, call.report_every_months = contract_months, report_every_months
        db.session.flush()
    return call
