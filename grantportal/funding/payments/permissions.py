"""Who may see and record the money of a contract. Each view calls exactly one of these, once, through
``core.permissions.require``; whether a tranche may be paid now is checked by the operations.

- the officer's payments page (tranches, payments, recoveries): staff read; only officers record;
- the contract's tranches and payments, read only: the organization's own members and staff.
"""
from grantportal.core.permissions import Decision, is_officer, is_staff
from grantportal.funding.permissions import is_award_member


def can_view_payments(user, contract):
    """The officer's payments page (read by auditors)."""
    return Decision(is_staff(user))


def can_record_payment(user, contract):
    return Decision(is_officer(user), "只有项目官员可以登记拨付。")


def can_record_recovery(user, contract):
    return Decision(is_officer(user), "只有项目官员可以登记追回资金。")


def can_view_contract_funding(user, contract):
    """The organization's read-only view of its contract's tranches and payments."""
    return Decision(is_staff(user) or is_award_member(user, contract.award))
