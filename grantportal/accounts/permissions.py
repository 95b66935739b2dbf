from grantportal.core.permissions import Decision, has_role, is_admin, is_signed_in
from grantportal.core.roles import Role


def can_register_account(user):
    """Anyone not signed in may open an organization account."""
    return Decision(not getattr(user, "is_authenticated", False))


def can_sign_in(user):
    """The sign-in page is for visitors; a signed-in user has nothing to sign in to."""
    return Decision(not getattr(user, "is_authenticated", False))


def can_manage_own_account(user):
    """我的账户 (password, e-mail address, phone number): every signed-in account with a password. A citizen
    has none (the phone and an SMS code sign them in), and sees their account on 我的参与."""
    if has_role(user, Role.CITIZEN):
        return Decision(False, "公众账户使用手机号和短信验证码登录，没有密码；账户信息请在“我的参与”中查看。")
    return Decision(is_signed_in(user))


def can_manage_users(user):
    """Only system administrators open, create and (de)activate accounts."""

    return Decision(is_admin(user))


def can_toggle_user(user, target):
    """An administrator may not lock themselves out."""
    return Decision(bool(can_manage_users(user) and target.id != user.id))


def can_send_reset(user, target):
    """An administrator may send a reset link to anyone else's e-mail address (their own: 忘记密码 or 我的账户)."""
    return Decision(bool(can_manage_users(user) and target.id != user.id))
