from grantportal.core.permissions import is_admin


def can_register_account(user):
    """Anyone not signed in may open an organization account."""
    return not getattr(user, "is_authenticated", False)


def can_manage_users(user):
    """Only system administrators open, create and (de)activate accounts."""

    return is_admin(user)


def can_toggle_user(user, target):
    """An administrator may not lock themselves out."""
    return can_manage_users(user) and target.id != user.id
