from grantportal.accounts.models import Role
from grantportal.core.permissions import has_role


def can_view_audit_log(user):
    """Officers and auditors browse the log; admins too (read only — nobody can alter it)."""
    return has_role(user, Role.OFFICER, Role.AUDITOR, Role.ADMIN)
