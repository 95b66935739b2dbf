"""Who may do what with grassroots teams. One function per permission; views call one, once.

The team's leader is an organization account (社会组织 role) that has no organization membership: it registers
its team instead of an organization. The supporting organization's members decide on the team's request."""
from grantportal.core.permissions import Decision, has_role, is_signed_in
from grantportal.core.roles import Role
from grantportal.orgs.permissions import is_member_of, is_member_of_org_id


def is_leader_of(user, team):
    return team is not None and has_role(user, Role.ORG_MEMBER) and team.leader_user_id == user.id


def can_register_team(user):
    """An organization account not in any organization registers its team (an organization's members apply as
    their organization)."""
    if not has_role(user, Role.ORG_MEMBER):
        return Decision(False)
    if getattr(user, "membership", None) is not None:
        return Decision(False, "本账户已属于一个社会组织，请以机构名义申报；草根团队请由团队负责人另行注册账户登记。")
    return Decision(True)


def can_view_my_team(user):
    """The "我的草根团队" page belongs to organization accounts not in an organization (a team's leader, or one who
    may register a team)."""
    return Decision(has_role(user, Role.ORG_MEMBER) and getattr(user, "membership", None) is None)


def can_list_supported_teams(user):
    """An organization's members see the teams that named it as their supporting organization."""
    return Decision(has_role(user, Role.ORG_MEMBER) and getattr(user, "membership", None) is not None)


def can_decide_support(user, team):
    """The supporting organization's members confirm or decline a team's request (挂靠确认)."""
    return Decision(is_signed_in(user) and is_member_of_org_id(user, team.supporting_org_id))


def can_view_supporting_org(user, org):
    return Decision(is_member_of(user, org))
