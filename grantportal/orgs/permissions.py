"""Who may do what with social organizations. One function per permission; views call one, once."""
from grantportal.core.permissions import Decision, has_role, is_officer, is_signed_in, is_staff
from grantportal.core.roles import Role


def _membership(user, org):
    member = getattr(user, "membership", None) if is_signed_in(user) else None
    return member if member is not None and org is not None and member.org_id == org.id else None


def is_member_of_org_id(user, org_id):
    """Whether ``user`` is a member of the organization with id ``org_id`` (the id is on the row at hand: no need to
    load the organization)."""
    member = getattr(user, "membership", None) if has_role(user, Role.ORG_MEMBER) else None
    return member is not None and member.org_id == org_id


def is_member_of(user, org):
    return has_role(user, Role.ORG_MEMBER) and _membership(user, org) is not None


def is_owner_of(user, org):
    member = _membership(user, org) if has_role(user, Role.ORG_MEMBER) else None
    return bool(member and member.is_owner)


def can_register_org(user):
    """An organization account registers its organization (once; see the view for the state)."""
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_view_my_org(user):
    """The "我的机构" page belongs to organization accounts."""
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_edit_org(user, org):
    """Only the owner keeps the profile (what may change depends on the status)."""
    return Decision(is_owner_of(user, org))


def can_manage_members(user, org):
    """The owner invites people, revokes invitations and removes members."""
    return Decision(is_owner_of(user, org))


def can_view_org_certificate(user, org):
    """The registration certificate: the organization's own members and staff."""
    return Decision(is_member_of(user, org) or is_staff(user))


def can_accept_invitation(user):
    """An invitation creates a new account, so it is opened signed out."""
    return Decision(not is_signed_in(user))


def can_review_orgs(user):
    """Officers work on organizations; auditors read the same pages."""
    return Decision(is_staff(user))


def can_manage_orgs(user):
    """Verification, ratings, inspections and sanctions are officers' work."""
    return Decision(is_officer(user))


def can_browse_directory(user):
    """The public directory is open to everyone, signed in or not (it lists verified organizations only)."""
    return Decision(True)
