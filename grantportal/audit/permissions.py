from grantportal.core.permissions import Decision, has_role, is_admin, is_staff
from grantportal.core.roles import Role


def can_view_audit_log(user):
    """Officers and auditors browse the log. System administrators read its account entries only (the view
    filters them): tracing an account incident (sign-ins, lockouts, role and TOTP changes) needs them, and
    the rest is domain data they do not see. Nobody can alter the log."""
    return Decision(is_staff(user) or is_admin(user))


def can_view_domain_entries(user):
    """The whole log (what the organizations, calls, reviews and money did): officers and auditors; a
    system administrator's view is kept to the account entries."""
    return Decision(is_staff(user))


def can_check_audit_chain(user):
    """The audit chain (core/audit_chain.py): its status, the heads to publish and a verification on demand are
    the auditor's. The chain is the auditor's check on everyone who writes or administers the data, officers and
    system administrators included; asking for a verification changes no data (it keeps a result)."""
    return Decision(has_role(user, Role.AUDITOR))
