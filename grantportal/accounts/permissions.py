from grantportal.core.permissions import Decision, is_admin


def can_register_account(user):
    """Anyone not signed in may open an organization account."""
    return Decision(not getattr(user, "is_authenticated", False))


def can_manage_users(user):
    """Only system administrators open, create and (de)activate accounts."""

    return Decision(is_admin(user))


def can_toggle_user(user, target):
    """An administrator may not lock themselves out."""
    return Decision(bool(can_manage_users(user) and target.id != user.id))
