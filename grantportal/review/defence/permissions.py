"""Who may see and run a defence day (答辩日): officers schedule, draw the running order and record attendance;
auditors read the page without the buttons; organizations see their own slot on their application's page and
experts the running order on their worklist, not these pages."""
from grantportal.core.permissions import Decision, is_officer, is_staff


def can_view_defence_day(user, rnd):
    return Decision(is_staff(user))


def can_schedule_defence(user, rnd):
    """Draw (or redraw) the running order, schedule a day's slots, record attendance."""
    return Decision(is_officer(user))
