"""A call's settings in plain words, as applicants read them."""
from grantportal.core.money import format_yuan
from grantportal.core.timeutil import format_date
from grantportal.orgs.models import SANCTION_LOOKBACK_YEARS, SanctionKind


def eligibility_lines(call):
    on = f"（以{format_date(call.reference_date)}为准）" if call.reference_date else ""
    lines = ["依法登记、具有独立承担民事责任的能力，财务制度健全；申报项目须在机构章程规定的业务范围和本市行政区域内。"]
    if call.min_grade:
        lines.append(f"须取得{call.min_grade.label}及以上社会组织评估等级{on}；等级已过有效期的视为未评估。")
    else:
        lines.append("不限社会组织评估等级。")
    if call.min_years_registered:
        lines.append(f"须在登记管理机关登记成立满{call.min_years_registered}年{on}。")
    if call.require_inspection:
        lines.append("须已参加并通过最近一次年度检查（年度报告）。")
    if call.require_no_sanctions:
        penalty = SANCTION_LOOKBACK_YEARS[SanctionKind.PENALTY]
        abnormal = SANCTION_LOOKBACK_YEARS[SanctionKind.ABNORMAL]
        serious = SANCTION_LOOKBACK_YEARS[SanctionKind.SERIOUS]
        breach = SANCTION_LOOKBACK_YEARS[SanctionKind.BREACH]
        lines.append(f"近{penalty}年内无重大违法记录，近{abnormal}年内未被列入活动异常名录，"
                     f"近{serious}年内未被列入严重违法失信名单，近{breach}年内无违反诚信承诺记录。")
    lines.append(f"每个机构最多申报{call.max_applications_per_org}个项目。")
    if call.teams_allowed:
        cap = f"，每份申请资助不超过{format_yuan(call.team_cap)}" if call.team_cap is not None else ""
        lines.append("接受社区社会组织、草根志愿团队经已认证的支持机构确认挂靠后，通过支持机构申报（支持机构为申报主体和"
                     f"合同签订方，其须符合以上条件，经其确认申报后方为正式提交）{cap}。")
    return lines

