"""Writes of the inbox: marking one notice or all of a user's notices read. Each flushes under a named audit
action and never commits (the view commits once)."""
import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice


def mark_read(notice, now=None):
    """Mark one notice read (a notice already read keeps its first reading time)."""
    if notice.read_at is not None:
        return notice
    with audit_action("notice.read"):
        notice.read_at = now or utcnow()
        db.session.flush()
    return notice


def mark_all_read(user, now=None):
    """Mark every unread notice of ``user`` read; returns how many were marked."""
    now = now or utcnow()
    unread = db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))).all()
    if not unread:
        return 0
    with audit_action("notice.read_all"):
        for notice in unread:
            notice.read_at = now
        db.session.flush()
    return len(unread)
