"""Who may see and change award decisions and results. Each view calls exactly one of these, once, through
``core.permissions.require``; workflow state (draft / 公示中 / final) is checked by the operations, which
answer 409 with the reason.

- the proposal, its explanations and the call's ranking: staff (officers act; auditors read);
- the public results page: anyone, once the proposal is published.
"""
from grantportal.core.permissions import Decision, is_officer, is_staff


def can_view_proposal(user, call):
    return Decision(is_staff(user))


def can_view_call_ranking(user, call):
    """The call's final ranking across rounds, with bonuses: staff."""
    return Decision(is_staff(user))


def can_manage_proposal(user, call):
    """Result settings, generate, adjust, publish, confirm."""
    return Decision(is_officer(user))




def can_promote_reserve(user, call):
    """递补 after the final result (a selected project dropped out): officers act; auditors read the page."""
    return Decision(is_officer(user))
