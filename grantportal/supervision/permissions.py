"""Who may file, see and handle 随手拍 supervision reports. Each view calls exactly one of these, once, through
``core.permissions.require``; the workflow state (the project in execution, the report still open, the
organization asked) is checked by the operations (``operations.REPORT``), which answer 409 with the reason.

- filing a report: citizens (公众账户) only; staff and organization accounts never double as citizens;
- a report's own page, its list and its photos: its reporter; staff see every report (officers handle them,
  auditors read); the project's organization sees a report once an officer asked it to answer, never who
  filed it;
- assigning, asking the organization, recording the finding, closing: officers;
- answering: a member of the project's organization, once asked.
"""
from grantportal.citizens.permissions import is_citizen
from grantportal.core.permissions import Decision, has_role, is_officer, is_signed_in, is_staff
from grantportal.core.roles import Role
from grantportal.funding.permissions import is_award_member

CITIZENS_ONLY = ("随手拍监督须使用公众账户提交。工作人员和社会组织账户不能提交，请退出当前账户后，"
                 "使用手机号和短信验证码登录公众账户。")


def _of_project_org(user, report):
    return is_award_member(user, report.contract.award)


def can_file_supervision_report(user, contract):
    """随手拍监督 on a project's page: a signed-in citizen (anonymous visitors are sent to 公众登录 first)."""
    return Decision(is_citizen(user), CITIZENS_ONLY)


def can_list_own_supervision_reports(user):
    """我的随手拍: the citizen's own reports."""
    return Decision(is_citizen(user), "“我的随手拍”是公众账户的页面。")


def can_view_own_supervision_report(user, report):
    """The reporter's page of a report: its reporter only (staff use the queue's page)."""
    return Decision(is_signed_in(user) and report.filed_by_id == user.id, "这不是您提交的随手拍监督报告。")


def can_view_supervision_photos(user, report):
    """The photos: the reporter, staff, and the project's organization once asked to answer."""
    return Decision(is_staff(user) or (is_signed_in(user) and report.filed_by_id == user.id)
                    or (report.org_asked_at is not None and _of_project_org(user, report)))


def can_list_supervision_reports(user):
    """The moderation queue and each report's page there: staff (auditors read)."""
    return Decision(is_staff(user))


def can_handle_supervision_report(user, report):
    """Assign, ask the organization, record the finding, close: officers."""
    return Decision(is_officer(user), "只有项目官员可以处理随手拍监督报告。")


def can_list_org_supervision_reports(user):
    """随手拍答复: an organization's members see the reports the officers asked it to answer."""
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_answer_supervision_report(user, report):
    """The organization's answer page: a member of the project's organization, once an officer asked it."""
    return Decision(report.org_asked_at is not None and _of_project_org(user, report),
                    "只有被要求答复的承接机构成员可以查看和答复该报告。")
