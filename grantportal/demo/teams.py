"""The demo's grassroots teams (issue 14): the home organization (login ``org``) supports a confirmed community
team whose leader signs in as ``team``; the team has an application to the open 公益创投 call waiting for the
organization's 确认申报, and a second team waits for the organization's 挂靠确认. The open call admits teams with a
cap. Written as rows (the demo's other data is too), audited under the demo's load."""
from decimal import Decimal

from grantportal.applications.models import Application, AppStatus, BudgetLine, FundSource
from grantportal.calls.models import Level
from grantportal.core.db import db, utcnow
from grantportal.teams.models import SupportStatus, Team

LEADER_LOGIN = "team"  # in DEMO_LOGINS (demo/data.py); printed as the team's leader (demo/cli.py)
LABELS = {LEADER_LOGIN: "草根团队负责人"}
TEAM_CAP = Decimal("20000.00")


def load(open_call, home, leader, org_user, waiting_leader):
    """``leader`` leads the confirmed team of ``home``; ``waiting_leader`` a team still waiting for it."""
    open_call.teams_allowed, open_call.team_cap = True, TEAM_CAP
    district = home.district or "石岐街道"
    team = Team(name="悦来社区长者关爱志愿队", filing_number="石岐社备〔2024〕017号", district=district,
                leader_name=leader.name, leader_phone=leader.phone or "13800138017", leader_user_id=leader.id,
                supporting_org=home, support_status=SupportStatus.CONFIRMED, support_decided_at=utcnow(),
                support_decided_by_id=org_user.id)
    waiting = Team(name="悦来亲子共读会", filing_number="石岐社备〔2025〕031号", district=district,
                   leader_name=waiting_leader.name, leader_phone=waiting_leader.phone or "13800138031",
                   leader_user_id=waiting_leader.id, supporting_org=home, support_status=SupportStatus.PENDING)
    db.session.add_all([team, waiting])
    db.session.flush()
    app = Application(call=open_call, org=home, team_id=team.id, level=Level.COMMUNITY, category="养老服务",
                      title="悦来社区独居长者“敲门行动”",
                      summary="悦来社区长者关爱志愿队每周上门探访独居长者，协助就医陪诊和节日关怀。",
                      need_analysis="社区登记独居长者86人，其中高龄长者31人，现有探访每月不足一次。",
                      objectives="半年内每周探访独居长者86人次，开展健康讲座6场，培训志愿者20名。",
                      activity_plan="第一个月建立探访台账和志愿者排班；第二至六个月每周上门探访，每月一次健康讲座。",
                      beneficiaries="悦来社区独居、高龄长者", target_count=86, area_served="石岐街道悦来社区",
                      district=district, team="队长1名，骨干志愿者8名，社区医生1名义务指导。",
                      status=AppStatus.SUPPORT_PENDING, created_by=leader)
    lines = [("活动经费", "探访物资与节日慰问品", Decimal("5000.00"), FundSource.GRANT),
             ("培训费", "志愿者培训", Decimal("3000.00"), FundSource.GRANT),
             ("交通费", "陪诊交通补贴", Decimal("2000.00"), FundSource.MATCHED),
             ("其他", "社区企业捐赠物资", Decimal("1000.00"), FundSource.MATCHED)]
    for i, (category, item, amount, source) in enumerate(lines):
        app.budget_lines.append(BudgetLine(position=i, category=category, item=item, amount=amount, source=source))
    app.total_budget = sum((line.amount for line in app.budget_lines), Decimal("0.00"))
    app.requested_amount = sum((line.amount for line in app.budget_lines if line.source == FundSource.GRANT),
                               Decimal("0.00"))
    app.matched_amount = app.total_budget - app.requested_amount
    db.session.add(app)
    db.session.flush()
    return team
