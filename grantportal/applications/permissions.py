"""Who may do what with applications. Each view calls exactly one of these through ``require``.

Roles and relations are decided here; the workflow state and the deadline are checked by the
operation (a refused change is a 409 with its reason, not a 403)."""
from grantportal.core.permissions import Decision, has_role, is_officer, is_staff
from grantportal.core.roles import Role
from grantportal.orgs.permissions import is_member_of_org_id
from grantportal.teams.permissions import is_leader_of


def _is_team_leader(user, app):
    """The leader of the grassroots team an application is for (项目执行团队; teams/)."""
    return app.team_id is not None and is_leader_of(user, app.executing_team)


def _writes_content(user, app):
    """Who fills the 申报书: the team's leader for a team's application, else the organization's members."""
    if app.team_id is not None:
        return _is_team_leader(user, app)
    return is_member_of_org_id(user, app.org_id)


def can_list_own_applications(user):
    """An organization's members see its applications, a team's leader the team's (accounts with neither are
    sent to register an organization)."""
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_start_application(user, call):
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_view_application(user, app):
    """Members of the applicant organization, and staff (officers; auditors read only). Experts,
    system administrators and the public: never."""
    return Decision(is_staff(user) or is_member_of_org_id(user, app.org_id) or _is_team_leader(user, app))


def can_edit_application(user, app):
    return Decision(_writes_content(user, app))


def can_submit_application(user, app):
    """The applicant organization submits; for a team's application that is the supporting organization's
    确认申报."""
    return Decision(is_member_of_org_id(user, app.org_id))


def can_forward_application(user, app):
    """A team's leader forwards the team's application to the supporting organization for confirmation."""
    return Decision(_is_team_leader(user, app))


def can_return_to_team(user, app):
    """The supporting organization sends a team's application back to the team (退回团队)."""
    return Decision(app.team_id is not None and is_member_of_org_id(user, app.org_id))


def can_withdraw_application(user, app):
    return Decision(is_member_of_org_id(user, app.org_id) or _is_team_leader(user, app))


def can_download_attachment(user, app):
    return can_view_application(user, app)


def can_remove_attachment(user, app):
    return Decision(_writes_content(user, app))


def can_return_application(user, app):
    return Decision(is_officer(user))


def can_screen_application(user, app):
    return Decision(is_officer(user))


def can_screen_call_applications(user, call):
    """Screening a call's applications in a batch (those whose automatic checks all pass)."""
    return Decision(is_officer(user))


def can_list_call_applications(user, call):
    return Decision(is_staff(user))
