"""Permission helpers. Each domain names its rules as ``can_<verb>_<object>(user, obj)`` functions in
its own ``permissions.py``; a view calls exactly one of them, once, through ``require``."""
from flask import abort

from grantportal.core.roles import Role


def require(allowed):
    if not allowed:
        abort(403)


def is_signed_in(user):
    return bool(user and getattr(user, "is_authenticated", False))


def has_role(user, *roles):
    return is_signed_in(user) and user.role in roles


def is_staff(user):
    """Officers and auditors see everything (auditors read only). System administrators are not staff:
    they manage accounts (``is_admin``) and otherwise see only what the public sees."""
    return has_role(user, Role.OFFICER, Role.AUDITOR)


def is_admin(user):
    return has_role(user, Role.ADMIN)


def is_officer(user):
    return has_role(user, Role.OFFICER)
