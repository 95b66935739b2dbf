"""Who may see and record a selected project's matched funds: the organization's own members and staff
read; the organization's members and officers record (auditors read only). Whether a member may still
change them (not after closure) is checked by the operation. Each view calls one of these, once."""
from grantportal.core.permissions import Decision, is_officer, is_staff
from grantportal.funding.permissions import is_award_member


def can_view_matched_funds(user, award):
    return Decision(is_staff(user) or is_award_member(user, award))


def can_record_matched_fund(user, award):
    return Decision(is_officer(user) or is_award_member(user, award),
                    "只有项目所属机构的成员和项目官员可以登记配套资金。")


def can_record_matched_fund_after_closure(user, award):
    """Officers record and correct matched funds at any time; members only until the project is closed."""
    return Decision(is_officer(user))


def can_view_matched_funds_as_staff(user, award):
    """Staff reach the project's management pages from its matched funds (members reach their own)."""
    return Decision(is_staff(user))
