"""The public directory (信息公示) and each organization's public record (承接能力信息, ``orgs/record.py``):
verified organizations only, personal data masked or left out on the server."""
from flask import current_app, render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from grantportal.core import links, search
from grantportal.core.db import db
from grantportal.core.districts import district_label, districts, is_district
from grantportal.core.masking import mask_address, mask_name
from grantportal.core.paging import page_number
from grantportal.core.permissions import require
from grantportal.core.search_text import SearchQuery
from grantportal.core.timeutil import local_today
from grantportal.orgs.blueprint import bp
from grantportal.orgs.models import Grade, Organization, OrgKind, OrgStatus
from grantportal.orgs.permissions import can_browse_directory
from grantportal.orgs.record import project_totals, public_projects, public_sanctions, supported_teams
from grantportal.orgs.tiers import effective_rating, record_state, tier_label
from grantportal.orgs.views.shared import district_notice


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


SORTS = {"name": "按名称拼音", "newest": "按登记时间（新到旧）"}
_refreshed_on = {}


def _refresh_grades_once_a_day(today):
    """Grades change with the calendar: rewrite the index entries whose day has come, once a day per
    process (``flask search refresh`` does the same from cron)."""
    if _refreshed_on.get("day") != today:
        search.refresh_due(today)
        _refreshed_on["day"] = today


def directory_filters(args):
    """The directory's filters from the query string, and a message for each value not understood
    (the filter is then left out, never a 500)."""
    notes = []
    query = SearchQuery(args.get("q", ""))
    if query.problem:
        notes.append(query.problem)
    elif query.shortened:
        notes.append("搜索词过长，仅按前面的部分查询。")
    chosen = {"kind": args.get("kind", ""), "tier": args.get("tier", ""), "sort": args.get("sort", ""),
              "district": (args.get("district") or "").strip()}
    if chosen["district"] and not is_district(chosen["district"]):
        notes.append(district_notice())
        chosen["district"] = ""
    if chosen["kind"] and chosen["kind"] not in {k.value for k in OrgKind}:
        notes.append("机构类别无效，已显示全部类别。")
        chosen["kind"] = ""
    if chosen["tier"] and chosen["tier"] not in {g.value for g in Grade} | {"none"}:
        notes.append("评估等级无效，已显示全部等级。")
        chosen["tier"] = ""
    if chosen["sort"] and chosen["sort"] not in SORTS:
        notes.append("排序方式无效，已按名称拼音排序。")
        chosen["sort"] = ""
    return query, chosen, notes


@bp.route("/orgs/")
def directory():
    """The public directory, read from the public index (core/search.py): one page at a time, no count of
    every row, each filter and order served by an index."""
    require(can_browse_directory(current_user))
    today = local_today()
    _refresh_grades_once_a_day(today)
    query, chosen, notes = directory_filters(request.args)
    filters = {}
    if chosen["kind"]:
        filters["category"] = chosen["kind"]
    if chosen["district"]:
        filters["district"] = chosen["district"]
    if chosen["tier"]:
        filters["tier"] = None if chosen["tier"] == "none" else chosen["tier"]
    order = chosen["sort"] or ("match" if query else "name")
    page, moved = search.entries(["org"], query or None, filters, order, page_number(),
                                  current_app.config["PAGE_SIZE"])
    if moved:
        notes.append(f"所选页码超出结果范围，已显示第 {page.page} 页。")
    elif request.args.get("page", type=int, default=1) > search.MAX_PAGES:
        notes.append(f"仅提供前 {search.MAX_PAGES} 页，请缩小搜索或筛选范围。")
    args = {k: v for k, v in {"q": query.text, **chosen}.items() if v}
    link = links.by_id("orgs.public_detail", "org_id")
    rows = [{"id": e.ref_id, "url": link(e.ref_id), "name": e.title, "uscc": e.subtitle,
             "kind": OrgKind(e.category).label, "fields": e.fields, "tier": e.tier or "未评级",
             "district": e.district} for e in page.items]
    return render_template("orgs/directory.html", page=page, rows=rows, notes=notes, args=args, today=today,
                           filters={"q": query.text, **chosen}, kinds=OrgKind, grades=Grade, sorts=SORTS,
                           districts=districts())


@bp.route("/orgs/<int:org_id>")
def public_detail(org_id):
    require(can_browse_directory(current_user))
    org = db.first_or_404(
        db.select(Organization).where(Organization.id == org_id, Organization.status == OrgStatus.VERIFIED)
        .options(selectinload(Organization.ratings), selectinload(Organization.inspections),
                 selectinload(Organization.sanctions)))
    projects = public_projects(org)
    return render_template("orgs/public_detail.html", org=public_profile(org, local_today()), projects=projects,
                           totals=project_totals(projects), teams=supported_teams(org),
                           link={"project": links.by_id("projects.project", "contract_id"),
                                 "results": links.by_id("proposals.public", "call_id")})
