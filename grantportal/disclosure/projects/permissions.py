"""Who may see the public pages of funded projects. Each view calls one of these, once."""
from grantportal.calls.permissions import can_view_call
from grantportal.core.permissions import Decision
from grantportal.funding.models import IN_FORCE

__all__ = ["IN_FORCE", "can_view_public_project"]


def can_view_public_project(user, contract):
    """Anyone, once the contract is in force and its call is public (otherwise the page does not exist)."""
    return Decision(bool(contract.status in IN_FORCE and can_view_call(user, contract.award.proposal.call)))
