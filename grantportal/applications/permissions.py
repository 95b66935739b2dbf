"""Who may do what with applications. Each view calls exactly one of these through ``require``.

Roles and relations are decided here; the workflow state and the deadline are checked by the
operation (a refused change is a 409 with its reason, not a 403)."""
from grantportal.core.permissions import Decision, has_role, is_officer, is_staff
from grantportal.core.roles import Role
from grantportal.orgs.permissions import is_member_of_org_id


def can_list_own_applications(user):
    """An organization's members see its applications (members without an organization are sent
    to register one)."""
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_start_application(user, call):
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_view_application(user, app):
    """Members of the applicant organization, and staff (officers; auditors read only). Experts,
    system administrators and the public: never."""
    return Decision(is_staff(user) or is_member_of_org_id(user, app.org_id))


def can_edit_application(user, app):
    return Decision(is_member_of_org_id(user, app.org_id))


def can_submit_application(user, app):
    return Decision(is_member_of_org_id(user, app.org_id))


def can_withdraw_application(user, app):
    return Decision(is_member_of_org_id(user, app.org_id))


def can_download_attachment(user, app):
    return can_view_application(user, app)


def can_remove_attachment(user, app):
    return Decision(is_member_of_org_id(user, app.org_id))


def can_return_application(user, app):
    return Decision(is_officer(user))


def can_screen_application(user, app):
    return Decision(is_officer(user))


def can_screen_call_applications(user, call):
    """Screening a call's applications in a batch (those whose automatic checks all pass)."""
    return Decision(is_officer(user))


def can_list_call_applications(user, call):
    return Decision(is_staff(user))
