"""Writes of funding at the call's level, and what the sub-packages' writes share.

- the call's funding settings (tranche plan, contract term, reporting interval): ``update_funding_settings``,
  refused with ``SettingsRefused`` (a message per field) once a contract of the call exists;
- ``FundingRefused``, the refusal of every funding write (``contracts``, ``payments``, ``matched``);
- ``lock_contract``: writes of money, and every step of the contract, lock the contract row first
  (``core.db.lock_row``) and only then read the sums and the state, so that two people acting on one
  contract at the same moment take turns: the second sees what the first committed.

The contract and its signing are in ``funding.contracts.operations``, payments, recoveries and the
tranches' derived status in ``funding.payments.operations``, matched funds in ``funding.matched.operations``.
Each write takes the objects and the acting user, flushes under a named audit action and never commits.
"""
from grantportal.calls.tranche_plan import PlanError, as_setting, parse_plan
from grantportal.core.audit import audit_action
from grantportal.core.db import db, lock_row
from grantportal.core.errors import Refused
from grantportal.funding.models import Contract
from grantportal.funding.queries import call_has_contracts


class FundingRefused(Refused):
    """A funding operation refused (``core.errors.Refused``: message, field, status)."""


class SettingsRefused(Refused):
    """The call's funding settings refused, with a message per field: ``messages`` is {field name: [Chinese
    message]} (``plan`` for the tranche plan as a whole); ``message`` joins them all."""

    status = 400

    def __init__(self, messages, status=None):
        super().__init__("；".join(m for ms in messages.values() for m in ms), status=status)
        self.messages = messages


def lock_contract(contract):
    """The contract row locked for this transaction and read afresh (what another writer committed wins)."""
    return lock_row(Contract, contract.id, reload=True)


# --- the call's funding settings ------------------------------------------------------------------------

MAX_CONTRACT_MONTHS = 36  # DESIGN.md §4: up to 3 years for stable services
MAX_REPORT_EVERY = 12
LOCKED = "本征集已有项目生成合同，拨付计划、合同期限和报告周期已锁定，不能再修改。"


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
