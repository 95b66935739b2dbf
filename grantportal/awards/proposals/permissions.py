"""Who may see and change award decisions, results and objections. Each view calls exactly one of these,
once, through ``core.permissions.require``; workflow state (draft / 公示中 / final, the period's end) is
checked by the operations, which answer 409 with the reason.

- the proposal, its explanations and the objections with the objector's identity: staff (officers act;
  auditors read);
- the public results page: anyone, once the proposal is published;
- filing an objection: any signed-in person who is not staff, a system administrator included (objections
  are never anonymous);
- an objection's own page and evidence: its objector and staff.
"""
from grantportal.core.permissions import Decision, is_officer, is_signed_in, is_staff


def can_view_proposal(user, call):
    return Decision(is_staff(user))


def can_view_call_ranking(user, call):
    """The call's final ranking across rounds, with bonuses: staff."""
    return Decision(is_staff(user))


def can_manage_proposal(user, call):
    """Result settings, generate, adjust, publish, confirm."""
    return Decision(is_officer(user))


def can_view_results(user, proposal):
    """The public results page: published (公示中 or final) proposals; staff also see a draft's state."""
    return Decision(bool(proposal is not None and (proposal.is_public or is_staff(user))))


def can_file_objection(user, award):
    return Decision(bool(is_signed_in(user) and not is_staff(user) and award.proposal.is_public))


def can_view_objection(user, objection):
    return Decision(is_staff(user) or (is_signed_in(user) and objection.filed_by_id == user.id))


def can_list_own_objections(user):
    return Decision(is_signed_in(user))


def can_view_objections(user, call):
    """The officer's list of a call's objections, with the objectors' names and contacts."""
    return Decision(is_staff(user))


def can_decide_objection(user, objection):
    return Decision(is_officer(user))
