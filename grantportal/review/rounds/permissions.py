"""Who may see and run review rounds, draws and assignments. Officers act; auditors read
(every page, never a button); organizations and experts have no access to these pages. Workflow
state (draft / open / closed) is checked by the operations: a wrong user gets 403, a state that
forbids the action 409."""
from grantportal.core.permissions import Decision, is_officer, is_staff

ON_VOTE_PAGES = Decision(False, "这是公众投票轮次，没有专家和评审组，请在该征集的“公众投票”页面查看和管理。")


def expert_round(rnd, decision):
    """``decision`` for an expert round; a public vote (``ReviewRound.is_vote``) is run on the votes pages."""
    return ON_VOTE_PAGES if rnd.is_vote else decision


def can_view_rounds(user, call):
    """A call's rounds, a round's panels, draws and dashboard: staff."""
    return Decision(is_staff(user))


def can_view_round(user, rnd):
    return expert_round(rnd, Decision(is_staff(user)))


def can_create_round(user, call):
    return Decision(is_officer(user))


def can_edit_round(user, rnd):
    return expert_round(rnd, Decision(is_officer(user)))


def can_change_round_status(user, rnd):
    """Open or close; ``review.rounds.operations.ROUND.check`` decides whether the round's state allows it."""
    return expert_round(rnd, Decision(is_officer(user)))


def can_delete_round(user, rnd):
    """Delete a round still in 筹备中 (``operations.delete_problems`` says when the state forbids it)."""
    return expert_round(rnd, Decision(is_officer(user)))


def can_send_reminders(user, rnd):
    return expert_round(rnd, Decision(is_officer(user)))
