"""Who may see and act on funded projects in implementation. Each view calls exactly one of these, once,
through ``core.permissions.require``; the workflow state (report status, contract status, evaluation
preconditions) is checked by the operations, which answer 409 with the reason.

- a project's timeline, its reports and photos: members of the funded organization, staff, and the staff of a
  third party appointed to the project (``inspection.queries.is_appointed``);
- filing a report: members of the funded organization only;
- reviewing reports, scheduling, evaluating, reminding and closing: officers (auditors read);
- verifying a 整改: officers, and a third party appointed to the project.
"""
from grantportal.core.permissions import Decision, has_role, is_officer, is_staff
from grantportal.core.roles import Role
from grantportal.inspection.queries import is_appointed
from grantportal.orgs.permissions import is_member_of_org_id


def _org_id(contract):
    return contract.award.application.org_id


def can_list_own_projects(user):
    return Decision(has_role(user, Role.ORG_MEMBER))


def can_view_project(user, contract):
    return Decision(is_staff(user) or is_member_of_org_id(user, _org_id(contract)) or is_appointed(user, contract))


def can_view_report(user, report):
    return can_view_project(user, report.contract)


def can_file_report(user, report):
    return Decision(is_member_of_org_id(user, _org_id(report.contract)), "只有承接项目的机构成员可以填报报告。")


def can_review_report(user, report):
    return Decision(is_officer(user), "只有项目官员可以审核报告。")


def can_list_projects(user):
    """The officer's monitoring list (staff read it)."""
    return Decision(is_staff(user))


def can_manage_project(user, contract):
    """Schedule reports, record evaluations, close."""
    return Decision(is_officer(user), "只有项目官员可以安排报告、评估和结项。")


def can_remind_overdue(user):
    return Decision(is_officer(user))


# --- 整改 (monitoring/rectification.py) -------------------------------------------------------------------

def can_open_rectification(user, contract):
    return Decision(is_officer(user), "只有项目官员可以责令整改。")


def can_view_rectification(user, case):
    """The case, its findings, reports and evidence: the funded organization's members and staff."""
    return can_view_project(user, case.contract)


def can_file_rectification_report(user, case):
    return Decision(is_member_of_org_id(user, _org_id(case.contract)), "只有承接项目的机构成员可以提交整改报告。")


def can_verify_rectification(user, case):
    """整改完成 / 继续整改: the officer, or the staff of a third party appointed to the project."""
    return Decision(is_officer(user) or is_appointed(user, case.contract),
                    "只有项目官员或受委托监管该项目的第三方机构可以核查整改。")
