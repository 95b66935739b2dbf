"""Who may draw, add and replace panel members: officers. Auditors see the panel pages read-only
(``review.rounds.permissions.can_view_round``); whether the round's state allows a change is the operations'
answer (409)."""
from grantportal.core.permissions import Decision, is_officer
from grantportal.review.rounds.permissions import expert_round


def can_assign_experts(user, rnd):
    """Draw panels, add or replace panel members (not in a public vote)."""
    return expert_round(rnd, Decision(is_officer(user)))
