"""The auditor's writes: asking for a verification of the audit chain (queued, run after the commit). Flushes,
never commits."""
from grantportal.core import audit_chain
from grantportal.core.audit import audit_action


def request_verification(user):
    """Queue a verification of the chain unless one is queued or running; the request is in the audit log (the
    job row it makes). Returns the job and whether this request queued it."""
    with audit_action("audit.verify_chain"):
        before = audit_chain.running_verification()
        job = before or audit_chain.queue_verify(created_by=user)
    return job, before is None
