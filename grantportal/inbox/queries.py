"""Reads of the inbox: one user's notices, newest first, a page at a time, and the unread count that the
navigation shows (computed before the page renders: ``views.count_unread`` runs before every request)."""
import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.core.notices import Notice
from grantportal.core.paging import Pager

PER_PAGE = 20


def unread_count(user_id):
    """How many of the user's notices are unread (an index-only count on ``ix_notice_user_read``)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notice)
                             .where(Notice.user_id == user_id, Notice.read_at.is_(None)))


def notice_page(user_id, page, per_page=PER_PAGE):
    """The user's notices on ``page`` (newest first), as a ``Pager`` with ``items``."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Notice).where(Notice.user_id == user_id))
    pager = Pager(total, page, per_page)
    pager.items = db.session.scalars(
        sa.select(Notice).where(Notice.user_id == user_id)
        .order_by(Notice.created_at.desc(), Notice.id.desc()).offset(pager.start).limit(per_page)).all()
    return pager


def notices_between(user_id, start, end):
    """The user's notices created in [start, end), oldest first (the daily digest)."""
    return db.session.scalars(
        sa.select(Notice).where(Notice.user_id == user_id, Notice.created_at >= start, Notice.created_at < end)
        .order_by(Notice.created_at, Notice.id)).all()
