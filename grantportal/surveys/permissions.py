"""Who may open, answer and read satisfaction surveys. Each view calls exactly one of these, once, through
``core.permissions.require``; the window and the project's state are the operations' to check.

- opening a survey on a project and closing one early: officers; the project's surveys page: staff (auditors read)
  and the project's organization;
- answering: citizens (公众账户) only — staff and organization accounts never double as citizens;
- the results: staff see everything (free text masked); the project's organization sees the aggregate;
- the printable page with the QR code: staff and the project's organization.
"""
from grantportal.citizens.permissions import is_citizen
from grantportal.core.permissions import Decision, is_officer, is_staff
from grantportal.funding.permissions import is_award_member

CITIZENS_ONLY = ("满意度问卷须使用公众账户填写。工作人员和社会组织账户不能填写，请退出当前账户后，"
                 "使用手机号和短信验证码登录公众账户。")


def _member_of(user, contract):
    return is_award_member(user, contract.award)


def _member_of_project_org(user, survey):
    return _member_of(user, survey.contract)


def can_list_project_surveys(user, contract):
    """A project's surveys page: staff (auditors read) and the project's organization (its members reach each
    survey's results and QR page from here)."""
    return Decision(is_staff(user) or _member_of(user, contract),
                    "只有项目官员和项目承接机构可以查看该项目的满意度调查。")


def can_open_survey(user, contract):
    return Decision(is_officer(user), "只有项目官员可以发起满意度调查。")


def can_close_survey(user, survey):
    return Decision(is_officer(user), "只有项目官员可以提前结束满意度调查。")


def can_answer_survey(user, survey):
    return Decision(is_citizen(user), CITIZENS_ONLY)


def can_list_own_answers(user):
    """我的问卷: the surveys the citizen answered."""
    return Decision(is_citizen(user), "“我的问卷”是公众账户的页面。")


def can_view_survey_results(user, survey):
    """The results: staff, and the members of the project's organization (the aggregate only)."""
    return Decision(is_staff(user) or _member_of_project_org(user, survey),
                    "只有项目官员和项目承接机构可以查看调查结果。")


def can_print_survey(user, survey):
    """The printable page with the QR code, for the service site: staff and the project's organization."""
    return Decision(is_staff(user) or _member_of_project_org(user, survey),
                    "只有项目官员和项目承接机构可以打印问卷二维码。")


def may_read_comments(user):
    """The free text (masked) on the results page: staff only; the organization sees the aggregate."""
    return is_staff(user)
