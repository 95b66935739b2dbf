"""Who may see a round's results, export the score sheet and publish the results. Results with names and
individual scores: staff (officers; auditors read); exports (they name experts next to their scores) and
publishing: officers only."""
from grantportal.core.permissions import Decision, is_officer, is_staff
from grantportal.review.rounds.permissions import expert_round


def can_view_round_results(user, round_):
    return expert_round(round_, Decision(is_staff(user)))


def can_view_application_reviews(user, round_):
    return expert_round(round_, Decision(is_staff(user)))


def can_export_results(user, round_):
    """The score sheet names experts next to their scores: officers only."""
    return expert_round(round_, Decision(is_officer(user)))


def can_publish_results(user, round_):
    return expert_round(round_, Decision(is_officer(user)))
