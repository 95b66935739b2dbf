"""Who may download what. Open data is public; what does not exist yet in public is 404 (never 403)."""
from grantportal.awards.models import ProposalStatus
from grantportal.calls.permissions import can_view_call
from grantportal.core.permissions import Decision
from grantportal.funding.models import IN_FORCE

# a contract is public once the officer confirms the signed copy: the states in which its project's page exists
PUBLIC_CONTRACT = IN_FORCE


def can_download_call_data(user, call, proposal):
    """Anyone, for a public call whose results are final (已确定); before that the package does not exist."""
    return Decision(bool(proposal is not None and proposal.status == ProposalStatus.FINAL
                         and can_view_call(user, call)))


def can_download_project_record(user, contract):
    """Anyone, once the contract is in force and its call's results are public data."""
    award = contract.award
    return Decision(bool(contract.status in PUBLIC_CONTRACT
                         and can_download_call_data(user, award.proposal.call, award.proposal)))
