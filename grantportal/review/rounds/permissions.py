"""Who may see and run review rounds, draws and assignments. Officers act; auditors read
(every page, never a button); organizations and experts have no access to these pages. Workflow
state (draft / open / closed) is checked by the operations: a wrong user gets 403, a state that
forbids the action 409."""
from grantportal.core.permissions import Decision, is_officer, is_staff


def can_view_rounds(user, call):
    """A call's rounds, a round's panels, draws and dashboard: staff."""
    return Decision(is_staff(user))


def can_view_round(user, rnd):
    return Decision(is_staff(user))


def can_create_round(user, call):
    return Decision(is_officer(user))


def can_edit_round(user, rnd):
    return Decision(is_officer(user))


def can_change_round_status(user, rnd):
    """Open or close; ``review.rounds.operations.ROUND.check`` decides whether the round's state allows it."""
    return Decision(is_officer(user))


def can_delete_round(user, rnd):
    """Delete a round still in 筹备中 (``operations.delete_problems`` says when the state forbids it)."""
    return Decision(is_officer(user))


def can_send_reminders(user, rnd):
    return Decision(is_officer(user))
