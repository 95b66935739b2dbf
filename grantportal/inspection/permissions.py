"""Who may do what in third-party supervision. Each view calls exactly one of these, once, through
``core.permissions.require``; the workflow state is checked by the operations (409 with the reason).

- agencies, their staff and appointments: the officer manages them (and may end an appointment early), the auditor
  reads them;
- a third party's staff see only the projects their agency is appointed to today (to the project or its call; an
  appointment ended early no longer counts from its end date): the project's facts and 绩效目标, and on the
  monitoring pages its tranches and reports; what they drafted before it ended is then read by officers and
  auditors only;
- they record 实地检查 and evaluations on those projects, and edit them while a draft or returned;
- a visit or an evaluation is read by its agency's staff and by the staff (officers, auditors); the organization
  does not see it (the people met are personal data); the officer confirms or returns it.
"""
from grantportal.core.permissions import Decision, has_role, is_officer, is_staff
from grantportal.core.roles import Role
from grantportal.inspection.queries import agency_of, is_appointed

NOT_APPOINTED = "您所在的第三方机构未受委托监管该项目，不能查看或记录该项目的检查与评估。"


def is_third_party(user):
    return has_role(user, Role.THIRD_PARTY)


def can_list_agencies(user):
    return Decision(is_staff(user))


def can_manage_agencies(user):
    """Register an agency, add its staff accounts, appoint it."""
    return Decision(is_officer(user), "只有项目官员可以登记和委托第三方机构。")


def can_end_appointment(user, appointment):
    """提前结束 an appointment (its state, ended already or expired, is the operation's 409)."""
    return Decision(is_officer(user), "只有项目官员可以提前结束委托。")


def can_list_supervised_projects(user):
    """我的监管项目: a third party's staff."""
    return Decision(is_third_party(user))


def can_view_supervised_project(user, contract):
    return Decision(is_staff(user) or is_appointed(user, contract), NOT_APPOINTED)


def can_record_inspection(user, contract):
    """A new 实地检查 or evaluation on ``contract``: staff of an agency appointed to it today."""
    return Decision(is_appointed(user, contract), NOT_APPOINTED)


def _own_agency(user, work):
    agency = agency_of(user)
    return agency is not None and agency.id == work.agency_id


def can_view_inspection_work(user, work):
    """A visit or an evaluation (and a visit's photos): its agency's staff while appointed, and the staff."""
    return Decision(is_staff(user) or (_own_agency(user, work) and is_appointed(user, work.contract)),
                    NOT_APPOINTED)


def can_edit_inspection_work(user, work):
    """Save or submit a draft or returned visit or evaluation: its agency's staff while appointed."""
    return Decision(_own_agency(user, work) and is_appointed(user, work.contract), NOT_APPOINTED)


def can_decide_inspection_work(user, work):
    """确认 / 退回 a submitted visit or evaluation."""
    return Decision(is_officer(user), "只有项目官员可以确认或退回第三方机构的检查与评估。")
