"""Who may file, see and decide objections (异议). Each view calls exactly one of these, once, through
``core.permissions.require``; workflow state (公示中, the period's end, an objection already decided) is
checked by the operations, which answer 409 with the reason.

- filing an objection: any signed-in person who is not staff, a system administrator included (objections
  are never anonymous), once the proposal is published;
- an objection's own page and evidence: its objector and staff;
- a call's objections with the objectors' identities: staff (officers decide; auditors read);
- the written response to an objection (书面答复): the members of the organization objected to, who see the
  objection's reason and never who filed it.
"""
from grantportal.core.permissions import Decision, has_role, is_officer, is_signed_in, is_staff
from grantportal.core.roles import Role
from grantportal.orgs.permissions import is_member_of


def can_file_objections(user, proposal):
    """Objections against a proposal's awards (the public results page offers the link)."""
    return Decision(bool(is_signed_in(user) and not is_staff(user) and proposal.is_public))


def can_file_objection(user, award):
    return can_file_objections(user, award.proposal)


def can_view_objection(user, objection):
    return Decision(is_staff(user) or (is_signed_in(user) and objection.filed_by_id == user.id))


def can_list_own_objections(user):
    return Decision(is_signed_in(user))


def can_follow_own_objections(user):
    """The "我的异议" menu: organization members and experts, who object in their own name. The list itself
    opens to every signed-in user (``can_list_own_objections``): a system administrator may file one too and
    still open the list, but the administrator's menu keeps to accounts."""
    return Decision(has_role(user, Role.ORG_MEMBER, Role.EXPERT))


def can_respond_for(user, org):
    """Written responses to the objections against ``org``'s projects (and the list of them in 我的异议)."""
    return Decision(is_member_of(user, org))


def can_respond_to_objection(user, objection):
    return can_respond_for(user, objection.award.application.org)


def can_view_objections(user, call):
    """The officer's list of a call's objections, with the objectors' names and contacts."""
    return Decision(is_staff(user))


def can_decide_objection(user, objection):
    return Decision(is_officer(user))
