"""The public directory (信息公示) and each organization's public record (承接能力信息, ``orgs/record.py``):
verified organizations only, personal data masked or left out on the server."""
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from grantportal.core.db import db
from grantportal.core.districts import district_label, districts
from grantportal.core.masking import mask_address, mask_name
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.orgs.blueprint import bp
from grantportal.orgs.models import Grade, Organization, OrgKind, OrgStatus
from grantportal.orgs.permissions import can_browse_directory
from grantportal.orgs.queries import org_page
from grantportal.orgs.record import project_totals, public_projects, public_sanctions
from grantportal.orgs.tiers import effective_rating, record_state, tier_label
from grantportal.orgs.views.shared import district_notice, list_filters, tiers_for


def public_profile(org, today):
    """Only what may be published; personal data masked here so that raw values never reach the page. The
    contact person and phone serve the bureau, not the public (DESIGN.md §4: phones are never public), so
    they are left out; the legal representative is shown masked."""
    return {
        "id": org.id,
        "name": org.name,
        "uscc": org.uscc,
        "kind": org.kind.label,
        "registration_authority": org.registration_authority,
        "registered_on": org.registered_on,
        "legal_rep": mask_name(org.legal_rep),
        "district": district_label(org.district),
        "address": mask_address(org.address),
        "charter_scope": org.charter_scope,
        "service_fields": org.service_field_list,
        "tier": tier_label(org, today),
        "rating": effective_rating(org, today),
        "ratings": [{"grade": r.grade.label, "announced_on": r.announced_on, "valid_from": r.valid_from,
                     "valid_until": r.valid_until, "ended_on": r.ended_on,
                     "end_kind": r.end_kind.label if r.end_kind else None, "state": record_state(r, today)}
                    for r in org.ratings],
        "inspections": [{"year": i.year, "result": i.result.label} for i in org.inspections],
        "sanctions": public_sanctions(org, today),
    }


@bp.route("/orgs/")
def directory():
    require(can_browse_directory(current_user))
    filters = list_filters()
    filters["status"] = OrgStatus.VERIFIED.value
    today = local_today()
    page = org_page(filters, today, order="name")
    args = {k: v for k, v in filters.items() if v and k != "status"}
    return render_template("orgs/directory.html", page=page, tiers=tiers_for(page.items, today), filters=filters,
                           today=today, kinds=OrgKind, grades=Grade, args=args, districts=districts(),
                           notice=district_notice())


@bp.route("/orgs/<int:org_id>")
def public_detail(org_id):
    require(can_browse_directory(current_user))
    org = db.first_or_404(
        db.select(Organization).where(Organization.id == org_id, Organization.status == OrgStatus.VERIFIED)
        .options(selectinload(Organization.ratings), selectinload(Organization.inspections),
                 selectinload(Organization.sanctions)))
    projects = public_projects(org)
    return render_template("orgs/public_detail.html", org=public_profile(org, local_today()), projects=projects,
                           totals=project_totals(projects))
