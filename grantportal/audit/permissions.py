from grantportal.core.permissions import Decision, is_admin, is_staff


def can_view_audit_log(user):
    """Officers and auditors browse the log. System administrators read its account entries only (the view
    filters them): tracing an account incident (sign-ins, lockouts, role and TOTP changes) needs them, and
    the rest is domain data they do not see. Nobody can alter the log."""
    return Decision(is_staff(user) or is_admin(user))


def can_view_domain_entries(user):
    """The whole log (what the organizations, calls, reviews and money did): officers and auditors; a
    system administrator's view is kept to the account entries."""
    return Decision(is_staff(user))
