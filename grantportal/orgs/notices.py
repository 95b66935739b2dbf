"""Notices to an organization: every active member of it gets the same in-app notice (and its e-mail and
SMS, through ``core.notices.notify``). Returns how many were recorded, so that a page says "已通知" only
when someone was told."""
from grantportal.core.notices import notify


def notify_org(org, title, body="", link=None):
    members = [m.user for m in org.members if m.user is not None and m.user.is_active]
    for user in members:
        notify(user, title, body, link)
    return len(members)
