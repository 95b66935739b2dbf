"""Who may make, see and handle public pledges. Each view calls exactly one of these, once, through
``core.permissions.require``; the workflow state (the project in execution, the pledge waiting for this step) is
checked by the operations (``operations.PLEDGE``), which answer 409 with the reason.

- pledging: citizens (公众账户) only — a company pledges through the account of the citizen who represents it;
  staff and organization accounts never double as citizens;
- a pledge's own page, the list of one's pledges, withdrawing: its pledger;
- the pledges to an organization's projects, confirming receipt: that organization's members;
- the evidence of receipt: the project's organization and staff;
- the queue and a pledge's page there: staff (auditors read); verifying and returning: officers.
"""
from grantportal.citizens.permissions import is_citizen
from grantportal.core.permissions import Decision, has_role, is_officer, is_signed_in, is_staff
from grantportal.core.roles import Role
from grantportal.orgs.permissions import is_member_of_org_id

CITIZENS_ONLY = ("认捐须使用公众账户提交（企业认捐由经办人使用本人的公众账户提交）。工作人员和社会组织账户不能认捐，"
                 "请退出当前账户后，使用手机号和短信验证码登录公众账户。")


def _project_org_id(pledge):
    return pledge.contract.award.application.org_id


def can_make_pledge(user, contract):
    """我要认捐 on a project's page: a signed-in citizen (anonymous visitors are sent to 公众登录 first)."""
    return Decision(is_citizen(user), CITIZENS_ONLY)


def can_list_own_pledges(user):
    """我的认捐: the citizen's own pledges."""
    return Decision(is_citizen(user), "“我的认捐”是公众账户的页面。")


def can_view_own_pledge(user, pledge):
    """The pledger's page of a pledge (and withdrawing it): its pledger only (staff use the queue's page)."""
    return Decision(is_signed_in(user) and pledge.pledged_by_id == user.id, "这不是您的认捐。")


def can_list_org_pledges(user):
    """公众认捐 of an organization: its members see the pledges to its projects."""
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_confirm_pledge_receipt(user, pledge):
    """A pledge's page for the organization, and confirming receipt: a member of the project's organization."""
    return Decision(is_member_of_org_id(user, _project_org_id(pledge)), "只有项目承接机构的成员可以查看和确认该认捐。")


def can_view_pledge_evidence(user, pledge):
    """The evidence of receipt: the project's organization and staff."""
    return Decision(is_staff(user) or is_member_of_org_id(user, _project_org_id(pledge)))


def can_list_pledges(user):
    """The officers' queue and each pledge's page there: staff (auditors read)."""
    return Decision(is_staff(user))


def can_handle_pledge(user, pledge):
    """Verify or return a confirmed receipt: officers."""
    return Decision(is_officer(user), "只有项目官员可以核实或退回公众认捐。")
