"""Who may read and mark notices: every signed-in user, each only their own (another's notice is a 404, so
that an id says nothing about whose it is)."""
from grantportal.core.permissions import Decision, is_signed_in


def can_list_notices(user):
    return Decision(is_signed_in(user))


def can_read_notice(user, notice):
    return Decision(is_signed_in(user) and notice.user_id == user.id)
