"""Permission helpers. Each domain names its rules as ``can_<verb>_<object>(user, obj) -> Decision`` in its
own ``permissions.py``; a view calls exactly one of them, once, through ``require``, and passes the same
functions' answers to its template to show or hide actions (never a role name in a page)."""
from dataclasses import dataclass

from flask import abort

from grantportal.core.roles import Role


@dataclass(frozen=True)
class Decision:
    """A permission's answer: allowed or not, and why not in Chinese words a user can act on."""

    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = Decision(True)
DENIED = Decision(False)


def can_view_public_pages(user):
    """The public site (首页, 项目征集 and what they link to): everyone, signed in or not."""
    return ALLOWED


def require(decision):
    """403 unless allowed; the decision's reason, when it has one, is shown on the error page."""
    if not decision:
        reason = getattr(decision, "reason", "")
        abort(403, reason) if reason else abort(403)


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
