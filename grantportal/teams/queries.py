"""Reads of grassroots teams, and the answers teams gives to the domains below it (``core.signals``)."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.core import signals
from grantportal.core.db import db
from grantportal.teams.models import SupportStatus, Team


def team_led_by(user):
    """The team ``user`` leads, or None."""
    if user is None or not getattr(user, "id", None):
        return None
    return db.session.scalar(sa.select(Team).where(Team.leader_user_id == user.id)
                             .options(joinedload(Team.supporting_org)))


def teams_of_org(org_id):
    """The teams that named the organization as supporter, waiting ones first, then by name."""
    order = sa.case((Team.support_status == SupportStatus.PENDING, 0), else_=1)
    return db.session.scalars(sa.select(Team).where(Team.supporting_org_id == org_id)
                              .order_by(order, Team.name, Team.id)).all()


@signals.org_supported_teams.connect
def org_supported_teams(org):
    """The organization's public record: the teams it supports (confirmed), name and 备案编号 only."""
    rows = db.session.execute(
        sa.select(Team.name, Team.filing_number, Team.district)
        .where(Team.supporting_org_id == org.id, Team.support_status == SupportStatus.CONFIRMED)
        .order_by(Team.name, Team.id)).all()
    return [{"name": r.name, "filing_number": r.filing_number, "district": r.district} for r in rows]
