"""What the call form starts with: the defaults from DESIGN.md for a new call, or a stored call's values
for editing."""
from grantportal.calls.forms import STAGE_KINDS
from grantportal.calls.integrity import DEFAULT_PLEDGE, pledge_text
from grantportal.calls.models import OPTIONAL_STAGES, CallKind, Level
from grantportal.core.timeutil import local_today

DEFAULT_RUBRIC = [("需求分析", 15), ("项目设计", 25), ("创新性", 15), ("可行性", 15), ("团队能力", 10),
                  ("预算合理性", 10), ("可持续性", 10)]


def new_call_data(today=None):
    """What a new call's form starts with: the defaults from DESIGN.md."""
    today = today or local_today()
    return {
        "year": today.year,
        "kind": CallKind.VENTURE.value,
        "min_years_registered": 1,
        "max_applications_per_org": 1,
        "rectification_days": 15,
        "integrity_pledge": DEFAULT_PLEDGE,
        "require_inspection": True,
        "require_no_sanctions": True,
        "levels": [{"level": lv.value} for lv in Level],
        "stages": [{"enabled": kind not in OPTIONAL_STAGES} for kind in STAGE_KINDS],
        "documents": [{"name": "项目申报书", "required": "1"}],
        "criteria": [{"name": n, "max_points": p} for n, p in DEFAULT_RUBRIC],
    }


def call_data(call):
    """A stored call as form data (for editing)."""
    by_kind = {s.kind: s for s in call.stages}
    stages = []
    for kind in STAGE_KINDS:
        s = by_kind.get(kind)
        stages.append({"enabled": s.enabled if s else kind not in OPTIONAL_STAGES,
                       "opens_at": s.opens_at if s else None, "closes_at": s.closes_at if s else None})
    levels = [{"id": lv.id, "level": lv.level.value, "budget_total": lv.budget_total, "min_grant": lv.min_grant,
               "max_grant": lv.max_grant, "min_match_percent": lv.min_match_percent} for lv in call.levels]
    used = {lv.level for lv in call.levels}
    levels += [{"level": lv.value} for lv in Level if lv not in used]
    return {
        "name": call.name, "edition": call.edition, "year": call.year, "code": call.code,
        "kind": call.kind.value, "summary": call.summary, "service_categories": call.service_categories,
        "reference_date": call.reference_date,
        "min_grade": call.min_grade.value if call.min_grade else "",
        "min_years_registered": call.min_years_registered,
        "require_inspection": call.require_inspection, "require_no_sanctions": call.require_no_sanctions,
        "max_applications_per_org": call.max_applications_per_org,
        "teams_allowed": call.teams_allowed, "team_cap": call.team_cap,
        "rectification_days": call.rectification_days,
        "rectification_overdue_terminates": call.rectification_overdue_terminates,
        "integrity_pledge": pledge_text(call),
        "levels": levels,
        "stages": stages,
        "documents": [{"id": d.id, "name": d.name, "description": d.description,
                       "required": "1" if d.required else "0"} for d in call.documents],
        "criteria": [{"id": c.id, "name": c.name, "max_points": c.max_points, "guidance": c.guidance}
                     for c in call.criteria],
        "catalogue_items": [str(link.item_id) for link in call.catalogue_links],
        **purchase_data(call),
    }


def purchase_data(call):
    """The purchase method, its justification and the funding sources as form data (method_forms)."""
    return {
        "purchase_method": call.method.value,
        "single_source_reason": call.single_source_reason or "",
        "funding_sources": [{"id": s.id, "kind": s.kind.value, "name": s.name, "amount": s.amount}
                            for s in call.funding_sources],
    }
