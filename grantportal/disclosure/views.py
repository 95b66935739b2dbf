"""The public face: home page (信息公示平台)."""
from decimal import Decimal

from flask import Blueprint, render_template
from sqlalchemy.orm import selectinload

from grantportal.calls.models import Call, CallStatus
from grantportal.core.db import db
from grantportal.orgs.models import Organization, OrgStatus

bp = Blueprint("disclosure", __name__)


@bp.route("/")
def index():
    calls = db.session.scalars(
        db.select(Call).where(Call.status == CallStatus.PUBLISHED).order_by(Call.published_at.desc()).limit(6)
        .options(selectinload(Call.levels), selectinload(Call.stages))
    ).all()
    org_count = db.session.scalar(
        db.select(db.func.count(Organization.id)).where(Organization.status == OrgStatus.VERIFIED))
    open_budget = sum((c.total_budget for c in calls), Decimal("0"))
    return render_template("disclosure/index.html", calls=calls, org_count=org_count, open_budget=open_budget)
