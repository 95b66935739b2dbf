"""Who may see and confirm the working-day calendar (节假日安排)."""
from grantportal.core.permissions import Decision, is_officer, is_staff


def can_view_calendar(user):
    """Officers and auditors read every year's arrangement."""
    return Decision(is_staff(user))


def can_confirm_calendar(user):
    """Officers confirm a year from the State Council's notice; auditors only read."""
    return Decision(is_officer(user), "只有项目官员可以确认节假日安排。")
