"""A complete, valid call form as a browser would post it (times typed in Beijing time)."""
from grantportal.calls.form_data import DEFAULT_RUBRIC

# 征集申报 opens 2030-11-01 09:00 and closes 2030-12-01 17:00 (Beijing) = 09:00 UTC.
STAGE_TIMES = [
    ("2030-11-01T09:00", "2030-12-01T17:00"),  # 征集申报
    ("2030-12-02T09:00", "2030-12-10T17:00"),  # 资格审查
    ("", ""),  # 公众投票 (switched off)
    ("2030-12-11T09:00", "2030-12-20T17:00"),  # 专家评审
    ("", ""),  # 现场答辩 (switched off)
    ("2030-12-21T09:00", "2030-12-28T17:00"),  # 结果公示
]


def call_form(**overrides):
    data = {
        "edition": "第十二届",
        "name": "“博爱100”公益创投活动",
        "year": "2030",
        "code": "BA100",
        "kind": "venture",
        "summary": "面向全市社会组织征集养老、助残和社区治理类公益项目。",
        "service_categories": "养老服务\n助残服务\n社区治理\n",
        "reference_date": "",
        "min_grade": "3A",
        "min_years_registered": "1",
        "require_inspection": "y",
        "require_no_sanctions": "y",
        "max_applications_per_org": "2",
        "levels-0-level": "city", "levels-0-budget_total": "800000", "levels-0-min_grant": "30000",
        "levels-0-max_grant": "80000", "levels-0-min_match_percent": "40",
        "levels-1-level": "town", "levels-1-budget_total": "300000.50", "levels-1-min_grant": "10000",
        "levels-1-max_grant": "30000", "levels-1-min_match_percent": "20",
        "levels-2-level": "community", "levels-2-budget_total": "", "levels-2-min_grant": "",
        "levels-2-max_grant": "", "levels-2-min_match_percent": "",
        "documents-0-name": "项目申报书", "documents-0-description": "按模板填写并加盖公章",
        "documents-0-required": "1",
        "documents-1-name": "上年度财务审计报告", "documents-1-description": "", "documents-1-required": "0",
        "documents-2-name": "", "documents-2-description": "", "documents-2-required": "1",
    }
    for i, (opens, closes) in enumerate(STAGE_TIMES):
        data[f"stages-{i}-opens_at"] = opens
        data[f"stages-{i}-closes_at"] = closes
    for i, (name, points) in enumerate(DEFAULT_RUBRIC):
        data[f"criteria-{i}-name"] = name
        data[f"criteria-{i}-max_points"] = str(points)
        data[f"criteria-{i}-guidance"] = ""
    data.update({"criteria-7-name": "", "criteria-7-max_points": "", "criteria-7-guidance": ""})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
