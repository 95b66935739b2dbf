"""Who may apply (DESIGN.md §4): automatic eligibility checks and the completeness of an application.

Pure functions: they read the organization, the call and the application and return checks
``(code, passed, reason)``; each reason names the data it was judged on, in Chinese.
"""
from decimal import Decimal
from typing import NamedTuple

from grantportal.applications.models import FundSource
from grantportal.calls.tier_rules import call_rules, waived_documents
from grantportal.core.money import format_wan, format_yuan, match_share
from grantportal.core.wording import quoted
from grantportal.orgs.models import SANCTION_LOOKBACK_YEARS, InspectionResult, SanctionKind
from grantportal.orgs.queries import missing_inspection
from grantportal.orgs.tiers import effective_rating, effective_tier
from grantportal.teams.models import SupportStatus

PASSING_INSPECTIONS = (InspectionResult.QUALIFIED, InspectionResult.BASIC)


class Check(NamedTuple):
    code: str
    passed: bool
    reason: str

    def as_dict(self):
        return {"code": self.code, "passed": self.passed, "reason": self.reason}


def all_passed(checks):
    return all(c.passed for c in checks)


def cn_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def full_years(since, on):
    return on.year - since.year - ((on.month, on.day) < (since.month, since.day))


def pct_text(value):
    return f"{Decimal(value).normalize():f}%"


# --- the organization ---------------------------------------------------------------------------

def check_verified(org):
    if org.is_verified:
        return Check("verified", True, "机构认证状态：已认证")
    return Check("verified", False, f"机构认证状态：{org.status.label}（须经民政部门认证后方可提交申报）")


def check_grade(org, call):
    on = call.reference_date
    record = effective_rating(org, on)
    need = f"要求{call.min_grade.value}及以上"
    if record is None:
        return Check("min_grade", False, f"评估等级：{cn_date(on)}无有效评估等级（未评估或已过期，{need}）")
    until = min(record.valid_until, record.ended_on) if record.ended_on else record.valid_until
    text = f"评估等级：{record.grade.value}（有效期至{cn_date(until)}）"
    if record.grade.rank >= call.min_grade.rank:
        return Check("min_grade", True, text)
    return Check("min_grade", False, f"{text}，{need}")


def check_registration_age(org, call):
    on = call.reference_date
    years = full_years(org.registered_on, on)
    text = f"登记成立日期：{cn_date(org.registered_on)}，至{cn_date(on)}满{max(years, 0)}年"
    if years >= call.min_years_registered:
        return Check("registered_years", True, text)
    return Check("registered_years", False, f"{text}（要求成立满{call.min_years_registered}年）")


def check_inspection(org, call):
    year = call.reference_date.year - 1
    record = next((i for i in org.inspections if i.year == year), None)
    if record is None:
        return Check("inspection", False, f"{year}年度年检结果：无记录（要求合格或基本合格）。"
                     f"{missing_inspection(org, year, you='该机构')}")
    text = f"{year}年度年检结果：{record.result.label}"
    if record.result in PASSING_INSPECTIONS:
        return Check("inspection", True, text)
    return Check("inspection", False, f"{text}（要求合格或基本合格）")


def _decided_check(org, today, kind, code, happened, none):
    """A sanction that bars for ``SANCTION_LOOKBACK_YEARS`` from its decision (a penalty, a breached pledge)."""
    years = SANCTION_LOOKBACK_YEARS[kind]
    since = years_before(today, years)
    hits = [s for s in org.sanctions if s.kind == kind and since < s.decided_on <= today]
    if hits:
        latest = max(hits, key=lambda s: s.decided_on)
        return Check(code, False, f"{kind.label}：{cn_date(latest.decided_on)}{happened}，未满{years}年")
    return Check(code, True, f"{kind.label}：近{years}年内{none}")


def check_penalty(org, today):
    return _decided_check(org, today, SanctionKind.PENALTY, "no_penalty", "受到行政处罚", "无行政处罚记录")


def check_breach(org, today):
    """A 诚信承诺书 the organization signed and broke (calls/integrity.py) bars it for three years."""
    return _decided_check(org, today, SanctionKind.BREACH, "no_breach", "被认定违反诚信承诺", "无违反诚信承诺记录")


def _listing_check(org, today, kind, code):
    years = SANCTION_LOOKBACK_YEARS[kind]
    since = years_before(today, years)
    for s in sorted(org.sanctions, key=lambda s: s.decided_on, reverse=True):
        if s.kind != kind or s.decided_on > today:
            continue
        if s.lifted_on is None or s.lifted_on > today:
            return Check(code, False, f"{kind.label}：{cn_date(s.decided_on)}列入，目前尚未移出")
        if s.lifted_on > since:
            return Check(code, False, f"{kind.label}：{cn_date(s.lifted_on)}移出，移出未满{years}年")
    return Check(code, True, f"{kind.label}：未列入，或移出已满{years}年")


def check_abnormal_list(org, today):
    return _listing_check(org, today, SanctionKind.ABNORMAL, "not_abnormal")


def check_serious_list(org, today):
    return _listing_check(org, today, SanctionKind.SERIOUS, "not_serious")


def org_checks(org, call, today):
    checks = [check_verified(org)]
    if call.min_grade:
        checks.append(check_grade(org, call))
    if call.min_years_registered:
        checks.append(check_registration_age(org, call))
    if call.require_inspection:
        checks.append(check_inspection(org, call))
    if call.require_no_sanctions:
        checks += [check_penalty(org, today), check_abnormal_list(org, today), check_serious_list(org, today),
                   check_breach(org, today)]
    return checks


# --- the application ----------------------------------------------------------------------------

def check_application_count(call, active_count, who="本机构"):
    """``active_count``: the organization's (or the team's) applications in this call that are not withdrawn."""
    text = f"{who}在本次征集中的有效申报：{active_count}份（上限{call.max_applications_per_org}份）"
    return Check("max_applications", active_count <= call.max_applications_per_org, text)


def check_grant_range(call_level, requested):
    if call_level is None:
        return Check("grant_range", False, "申报级别：不在本次征集设置的级别范围内")
    text = (f"申请资助金额：{format_yuan(requested)}（{call_level.level.label}须在"
            f"{format_wan(call_level.min_grant)}至{format_wan(call_level.max_grant)}之间）")
    return Check("grant_range", call_level.min_grant <= requested <= call_level.max_grant, text)


def check_match_share(call_level, matched, total):
    need = call_level.min_match_percent if call_level else Decimal("0")
    text = f"自筹配套比例：{pct_text(match_share(matched, total))}（要求不低于{pct_text(need)}）"
    passed = bool(total) and Decimal(matched) * 100 >= need * Decimal(total)
    return Check("match_share", passed, text)


def check_team_support(team):
    """A team's application: the supporting organization (the applicant, judged by the checks above) has
    confirmed the team (挂靠确认)."""
    text = f"项目执行团队：{team.name}（备案编号 {team.filing_number}），支持机构挂靠状态：{team.support_status.label}"
    return Check("team_support", team.support_status == SupportStatus.CONFIRMED, text)


def check_teams_allowed(call):
    if call.teams_allowed:
        return Check("teams_allowed", True, "本次征集接受草根团队通过支持机构申报")
    return Check("teams_allowed", False, "本次征集不接受草根团队申报")


def check_team_cap(call, requested):
    if call.team_cap is None:
        return Check("team_cap", True, f"申请资助金额：{format_yuan(requested)}（本次征集未另设草根团队上限）")
    text = f"申请资助金额：{format_yuan(requested)}（草根团队上限{format_yuan(call.team_cap)}）"
    return Check("team_cap", requested <= call.team_cap, text)


def application_checks(app, active_count, today):
    """Every automatic check for an application: the organization's (for a grassroots team's application, the
    supporting organization's, and the team's own), the limit, the amounts."""
    level = app.call.level(app.level)
    checks = org_checks(app.org, app.call, today)
    team = app.executing_team if app.team_id is not None else None
    if team is not None:
        checks += [check_team_support(team), check_teams_allowed(app.call), check_team_cap(app.call,
                                                                                            app.requested_amount)]
    checks.append(check_application_count(app.call, active_count, "项目执行团队" if team is not None else "本机构"))
    checks.append(check_grant_range(level, app.requested_amount))
    checks.append(check_match_share(level, app.matched_amount, app.total_budget))
    return checks


# --- completeness -------------------------------------------------------------------------------

TEXT_FIELDS = [
    ("category", "服务领域"), ("title", "项目名称"), ("summary", "项目摘要"), ("need_analysis", "需求分析"),
    ("objectives", "项目目标"), ("activity_plan", "活动计划"), ("beneficiaries", "受益对象"),
    ("area_served", "服务区域"), ("team", "项目团队"),
]


def completeness_problems(app):
    """What is missing before the application can be submitted (Chinese, one line each)."""
    problems = [f"请填写{quoted(label)}。" for key, label in TEXT_FIELDS if not (getattr(app, key) or "").strip()]
    if not app.district:
        problems.append("请选择“服务镇街”。")
    if not app.target_count:
        problems.append("请填写“受益人数”。")
    if not app.budget_lines:
        problems.append("请至少填写一行预算明细。")
    elif not any(line.source == FundSource.GRANT for line in app.budget_lines):
        problems.append("预算明细中没有“申请资助”的项目，请填写申请资助金额。")
    attached = {a.document_id for a in app.attachments}
    waived = waived_document_names(app.call, app.org)
    for doc in app.call.documents:
        if doc.required and doc.id not in attached and doc.name not in waived:
            problems.append(f"请上传必备材料{quoted(doc.name)}。")
    return problems


def waived_document_names(call, org):
    """The call's required documents this organization need not submit: the tier rule "documents waived
    for 4A and above", judged on the grade in force on the call's reference date."""
    if not (call.tier_rules or {}).get("waive_documents_for_4a"):
        return set()
    return set(waived_documents(call_rules(call), effective_tier(org, call.reference_date)))
