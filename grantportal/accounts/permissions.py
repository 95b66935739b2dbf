from grantportal.core.permissions import Decision, is_admin


def can_register_account(user):
    """Anyone not signed in may open an organization account."""
    return Decision(not getattr(user, "is_authenticated", False))


def can_sign_in(user):
    """The sign-in page is for visitors; a signed-in user has nothing to sign in to."""
    return Decision(not getattr(user, "is_authenticated", False))


def can_manage_users(user):
    """Only system administrators open, create and (de)activate accounts."""

    return Decision(is_admin(user))


def can_toggle_user(user, target):
    """An administrator may not lock themselves out."""
    return Decision(bool(can_manage_users(user) and target.id != user.id))


def can_send_reset(user, target):
    """An administrator may send a reset link to anyone else's e-mail address (their own: 忘记密码 or 我的账户)."""
    return Decision(bool(can_manage_users(user) and target.id != user.id))
