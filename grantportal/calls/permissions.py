"""Who may do what with calls. Workflow state (draft / published / closed) is checked by the views
through ``workflow``: a wrong user gets 403, a state that forbids the action 409."""
from grantportal.calls.models import CallStatus
from grantportal.core.permissions import Decision, is_officer, is_staff


def can_view_call(user, call):
    """Published and closed calls are public; a draft only for staff (others, system administrators
    included, get 404: its existence is not public)."""
    return Decision(call.status != CallStatus.DRAFT or is_staff(user))


def can_manage_calls(user):
    """The management list: officers; auditors read it."""
    return Decision(is_staff(user))


def can_create_call(user):
    return Decision(is_officer(user))


def can_edit_call(user, call):
    return Decision(is_officer(user))


def can_change_call_status(user, call):
    """Publish or close; the workflow decides whether the call's state allows it."""
    return Decision(is_officer(user))
