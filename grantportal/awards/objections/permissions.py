"""Who may file, see and decide objections (异议). Each view calls exactly one of these, once, through
``core.permissions.require``; workflow state (公示中, the period's end, an objection already decided) is
checked by the operations, which answer 409 with the reason.

- filing an objection: any signed-in person who is not staff, a system administrator included (objections
  are never anonymous), once the proposal is published;
- an objection's own page and evidence: its objector and staff;
- a call's objections with the objectors' identities: staff (officers decide; auditors read).
"""
from grantportal.core.permissions import Decision, is_officer, is_signed_in, is_staff


def can_file_objections(user, proposal):
    """Objections against a proposal's awards (the public results page offers the link)."""
    return Decision(bool(is_signed_in(user) and not is_staff(user) and proposal.is_public))


def can_file_objection(user, award):
    return can_file_objections(user, award.proposal)


def can_view_objection(user, objection):
    return Decision(is_staff(user) or (is_signed_in(user) and objection.filed_by_id == user.id))


def can_list_own_objections(user):
    return Decision(is_signed_in(user))


def can_view_objections(user, call):
    """The officer's list of a call's objections, with the objectors' names and contacts."""
    return Decision(is_staff(user))


def can_decide_objection(user, objection):
    return Decision(is_officer(user))
