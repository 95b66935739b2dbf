"""Who may use the citizens' pages. Citizens sign in only here, by SMS code; staff and organization accounts
never double as citizen accounts, and a citizen opens no staff or organization page (their permissions
ask for those roles, so a citizen gets 403 as any other outsider)."""
from grantportal.core.permissions import ALLOWED, Decision, has_role, is_signed_in
from grantportal.core.roles import Role

SIGN_OUT_FIRST = ("您当前已使用工作人员或社会组织账户登录。公众账户与工作账户须分开使用：请先退出当前账户，"
                  "再用手机号和短信验证码登录公众账户。")


def is_citizen(user):
    return has_role(user, Role.CITIZEN)


def can_sign_in_as_citizen(user):
    """公众登录 is for visitors. A signed-in staff or organization account is told to sign out first (the view
    takes a signed-in citizen straight to 我的参与)."""
    if not is_signed_in(user):
        return ALLOWED
    return Decision(False, SIGN_OUT_FIRST)


def can_view_participation(user):
    """我的参与: the citizen's own page."""
    return Decision(is_citizen(user), "“我的参与”是公众账户的页面，请退出当前账户后使用手机号登录公众账户。")
