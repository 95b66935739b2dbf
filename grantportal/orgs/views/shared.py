"""Helpers the orgs pages share across audiences: loading an organization with its records, the grade
labels shown for a day, the list filters of the directory and the officers' list."""
from flask import abort, request
from sqlalchemy.orm import selectinload

from grantportal.core.db import db
from grantportal.core.districts import is_district
from grantportal.core.wording import quoted
from grantportal.orgs.models import Grade, Organization, OrgKind, OrgStatus
from grantportal.orgs.tiers import record_state, tier_label


def conflict(error):
    abort(409, str(error))



def with_records(org_id):
    return db.first_or_404(
        db.select(Organization).where(Organization.id == org_id).options(
            selectinload(Organization.ratings), selectinload(Organization.inspections),
            selectinload(Organization.sanctions), selectinload(Organization.certificate)))


def rating_labels(org, today):
    """For templates/orgs/_macros.html ratings_table: the grade shown for ``today`` and each rating
    record's state on that day."""
    return {"tier": tier_label(org, today), "record_states": {r.id: record_state(r, today) for r in org.ratings}}


def tiers_for(orgs, today):
    """{organization id: the grade shown for ``today``} for a page of organizations (ratings loaded)."""
    return {org.id: tier_label(org, today) for org in orgs}


def list_filters():
    args = request.args
    return {
        "q": (args.get("q") or "").strip()[:120],
        "status": args.get("status") if args.get("status") in {s.value for s in OrgStatus} else "",
        "kind": args.get("kind") if args.get("kind") in {k.value for k in OrgKind} else "",
        "tier": args.get("tier") if args.get("tier") in {g.value for g in Grade} | {"none"} else "",
        "district": _district_arg() if is_district(_district_arg()) else "",
    }


def _district_arg():
    return (request.args.get("district") or "").strip()


def district_notice():
    """What the directory says when ?district= names no 镇街 of this city: the filter is ignored (list_filters
    drops it) and the page says so instead of failing."""
    value = _district_arg()
    if value and not is_district(value):
        return f"没有名为{quoted(value[:20])}的镇街，已忽略该筛选条件，显示全部镇街的机构。"
    return None
