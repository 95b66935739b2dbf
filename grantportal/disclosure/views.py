"""The public face: home page (信息公示平台)."""
import sqlalchemy as sa
from flask import Blueprint, render_template
from sqlalchemy.orm import selectinload

from grantportal.calls.models import Call, CallLevel, CallStage, CallStatus, StageKind
from grantportal.core.db import ZERO, db, utcnow
from grantportal.orgs.models import Organization, OrgStatus

bp = Blueprint("disclosure", __name__)


def _open_call_ids(now):
    """Published calls whose application stage is open now."""
    return (sa.select(CallStage.call_id).join(Call, Call.id == CallStage.call_id)
            .where(Call.status == CallStatus.PUBLISHED, CallStage.kind == StageKind.APPLY,
                   CallStage.enabled.is_(True), CallStage.opens_at <= now, CallStage.closes_at > now))


@bp.route("/")
def index():
    now = utcnow()
    open_ids = _open_call_ids(now)
    open_count = db.session.scalar(sa.select(sa.func.count()).select_from(open_ids.subquery()))
    open_budget = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CallLevel.budget_total), 0)).where(CallLevel.call_id.in_(open_ids)))
    calls = db.session.scalars(
        sa.select(Call).where(Call.status == CallStatus.PUBLISHED).order_by(Call.published_at.desc()).limit(6)
        .options(selectinload(Call.levels), selectinload(Call.stages))
    ).all()
    org_count = db.session.scalar(
        sa.select(sa.func.count(Organization.id)).where(Organization.status == OrgStatus.VERIFIED))
    return render_template("disclosure/index.html", calls=calls, org_count=org_count, open_count=open_count,
                           open_budget=open_budget or ZERO)
