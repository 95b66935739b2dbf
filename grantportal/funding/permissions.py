"""Who may see and change the call's funding settings and its funding summary, and the membership test the
sub-packages' permissions share (``is_award_member``). Each view calls exactly one permission, once,
through ``core.permissions.require``; workflow state is checked by the operations, which refuse with the
reason (409).

- the call's funding summary and settings: staff read; only officers change the settings.
- a funded project's public page (and what a citizen does from it: pledge, report): anyone, once the contract is
  in force and its call public (``can_view_public_project``); otherwise the page does not exist (404).

The contract's, the payments' and the matched funds' permissions are in their sub-packages
(``funding.contracts.permissions``, ``funding.payments.permissions``, ``funding.matched.permissions``).
"""
from grantportal.calls.permissions import can_view_call
from grantportal.core.permissions import Decision, is_officer, is_staff
from grantportal.funding.models import IN_FORCE
from grantportal.orgs.permissions import is_member_of_org_id


def is_award_member(user, award):
    """Whether ``user`` is a member of the organization the selected project (``award``) belongs to."""
    return is_member_of_org_id(user, award.application.org_id)


def can_view_funding_settings(user, call):
    return Decision(is_staff(user))


def can_edit_funding_settings(user, call):
    return Decision(is_officer(user), "只有项目官员可以修改拨付与合同设置。")


def can_view_call_funding(user, call):
    return Decision(is_staff(user))


def can_view_public_project(user, contract):
    """Anyone, once the contract is in force and its call is public (otherwise the page does not exist)."""
    return Decision(bool(contract.status in IN_FORCE and can_view_call(user, contract.award.proposal.call)))
