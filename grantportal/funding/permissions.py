"""Who may handle the contracts of selected projects and see and record their money. Each view calls exactly
one of these, once, through ``core.permissions.require``; workflow state (contract status, conditions,
closure) is checked by the operations, which refuse with the reason (409).

- contracts: staff read the officer's page; only officers issue them and confirm or return the signed scan;
  the organization's own members and staff read the signing page; only its own members upload the scan;
- payments, recoveries and the call's funding summary and settings: staff read; only officers record;
- a contract's tranches and payments (read only): the organization's own members and staff;
- matched funds: the organization's own members and staff read; the organization's members and officers
  record (auditors read only).
"""
from grantportal.core.permissions import Decision, has_role, is_officer, is_staff
from grantportal.core.roles import Role


def _member_of(user, org_id):
    if not has_role(user, Role.ORG_MEMBER):
        return False
    membership = user.membership
    return membership is not None and membership.org_id == org_id


def _org_id(award):
    return award.application.org_id


def can_view_contract_signing(user, award):
    """The contract's signing page: staff, and the organization's own members."""
    return Decision(is_staff(user) or _member_of(user, _org_id(award)))


def can_view_contract_manage(user, award):
    """The officer's contract page (read by auditors)."""
    return Decision(is_staff(user))


def can_manage_contract(user, award):
    """Issue the contract, confirm or return the signed scan: officers."""
    return Decision(is_officer(user), "只有项目官员可以出具合同、确认或退回签署件。")


def can_upload_signed_contract(user, award):
    return Decision(_member_of(user, _org_id(award)), "只有签约机构的成员可以上传合同签署件。")


def can_view_funding_settings(user, call):
    return Decision(is_staff(user))


def can_edit_funding_settings(user, call):
    return Decision(is_officer(user), "只有项目官员可以修改拨付与合同设置。")


def can_view_call_funding(user, call):
    return Decision(is_staff(user))


def can_view_payments(user, contract):
    """The officer's payments page (read by auditors)."""
    return Decision(is_staff(user))


def can_record_payment(user, contract):
    return Decision(is_officer(user), "只有项目官员可以登记拨付。")


def can_record_recovery(user, contract):
    return Decision(is_officer(user), "只有项目官员可以登记追回资金。")


def can_view_contract_funding(user, contract):
    """The organization's read-only view of its contract's tranches and payments."""
    return Decision(is_staff(user) or _member_of(user, _org_id(contract.award)))


def can_view_matched_funds(user, award):
    return Decision(is_staff(user) or _member_of(user, _org_id(award)))


def can_record_matched_fund(user, award):
    return Decision(is_officer(user) or _member_of(user, _org_id(award)),
                    "只有项目所属机构的成员和项目官员可以登记配套资金。")
