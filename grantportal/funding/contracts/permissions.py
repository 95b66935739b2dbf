"""Who may handle the contract of a selected project. Each view calls exactly one of these, once, through
``core.permissions.require``; the contract's status is checked by its operations (``CONTRACT``), which
refuse with the reason (409).

- staff read the officer's page; only officers issue the contract and confirm or return the signed scan;
- the organization's own members and staff read the signing page; only its own members upload the scan.
"""
from grantportal.core.permissions import Decision, is_officer, is_staff
from grantportal.funding.permissions import is_award_member


def can_view_contract_signing(user, award):
    """The contract's signing page: staff, and the organization's own members."""
    return Decision(is_staff(user) or is_award_member(user, award))


def can_view_contract_manage(user, award):
    """The officer's contract page (read by auditors)."""
    return Decision(is_staff(user))


def can_manage_contract(user, award):
    """Issue the contract, confirm or return the signed scan: officers."""
    return Decision(is_officer(user), "只有项目官员可以出具合同、确认或退回签署件。")


def can_upload_signed_contract(user, award):
    return Decision(is_award_member(user, award), "只有签约机构的成员可以上传合同签署件。")
