"""A grassroots team's application in a real browser: the team's leader fills it on a phone (375px) and forwards it
to the supporting organization, whose member confirms it (确认申报) on a desktop. Screenshots:
tests/screenshots/teams-*.png."""
from decimal import Decimal

import pytest

from grantportal.applications.models import Application, AppStatus
from grantportal.core.db import db
from grantportal.teams.models import SupportStatus, Team
from tests.applications.helpers import eligible_org
from tests.browser.util import fits_phone, shot, sign_in
from tests.factories import CallFactory, UserFactory, member_of
from tests.permissions.world import TINY_PDF

pytestmark = pytest.mark.browser


def test_a_team_leader_applies_on_a_phone_and_the_supporting_organization_confirms(phone, page, tmp_path):
    org = eligible_org(name="中山市悦来社会工作服务中心")
    member = member_of(org, username="sup_member")
    call = CallFactory(teams_allowed=True, team_cap=Decimal("60000.00"))
    doc = next(d for d in call.documents if d.required)
    leader = UserFactory(username="team_leader", name="林小红")
    db.session.add(Team(name="悦来社区长者关爱志愿队", filing_number="石岐社备〔2024〕017号", district="石岐街道",
                        leader_name="林小红", leader_phone="13800138017", leader_user_id=leader.id,
                        supporting_org_id=org.id, support_status=SupportStatus.CONFIRMED))
    db.session.commit()
    plan = tmp_path / "项目申报书.pdf"
    plan.write_bytes(TINY_PDF)

    # the leader fills the application on a phone: above the cap first, refused next to the budget
    sign_in(phone, leader.username)
    phone.goto(f"/calls/{call.id}/apply")
    assert "项目执行团队" in phone.inner_text("main") and "悦来社区长者关爱志愿队" in phone.inner_text("main")
    phone.select_option("#level", "city")
    phone.select_option("#category", "养老服务")
    for field, text in [("#title", "悦来社区独居长者“敲门行动”"), ("#summary", "每周上门探访独居长者。"),
                        ("#need_analysis", "社区独居长者86人，探访不足。"), ("#objectives", "半年探访86人次。"),
                        ("#activity_plan", "每周上门探访，每月健康讲座。"), ("#beneficiaries", "独居、高龄长者"),
                        ("#target_count", "86"), ("#area_served", "石岐街道悦来社区"), ("#team", "骨干志愿者8名。")]:
        phone.fill(field, text)
    phone.select_option("#district", "石岐街道")
    lines = [("人员经费", "志愿者补贴", "40000", "grant"), ("活动经费", "探访物资", "30000", "grant"),
             ("活动经费", "社区企业配套", "50000", "matched")]
    for i, (category, item, amount, source) in enumerate(lines):
        phone.select_option(f"#budget-{i}-category", category)
        phone.fill(f"#budget-{i}-item", item)
        phone.fill(f"#budget-{i}-amount", amount)
        phone.select_option(f"#budget-{i}-source", source)
    phone.click("input[type=submit][value='保存草稿']")
    phone.wait_for_load_state()
    assert "超过本次征集对草根团队的申请上限" in phone.inner_text("#budget")
    assert db.session.query(Application).count() == 0
    fits_phone(phone)
    shot(phone, "teams-1-over-cap-phone")
    phone.fill("#budget-1-amount", "20000")
    phone.set_input_files(f"#doc-{doc.id}", str(plan))
    phone.click("input[type=submit][value='保存并检查提交']")
    phone.wait_for_load_state()
    phone.click("button:has-text('提交支持机构确认')")
    phone.wait_for_load_state()
    assert "待支持机构确认" in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "teams-2-forwarded-phone")

    # the supporting organization confirms it, signing the 诚信承诺书
    sign_in(page, member.username)
    page.goto("/inbox")
    assert "草根团队申报待确认" in page.inner_text("main")
    app = db.session.query(Application).one()
    page.goto(f"/applications/{app.id}")
    assert "支持机构确认申报" in page.inner_text("#confirm")
    page.check("#pledge_agree")
    shot(page, "teams-3-confirm")
    page.click("button:has-text('确认申报')")
    page.wait_for_load_state()
    assert "已提交" in page.inner_text("main")
    db.session.expire_all()
    assert db.session.get(Application, app.id).status == AppStatus.SUBMITTED

    phone.goto(f"/applications/{app.id}")
    assert "已提交" in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "teams-4-submitted-phone")
