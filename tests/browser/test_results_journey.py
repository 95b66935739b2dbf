"""Results, 公示 and objections in a real browser (Issue 4): the officer generates the award proposal,
adjusts one amount (a refusal first), publishes it; a member of the public follows the 公示 on a phone and
files a real-name objection with evidence; the organization objected to answers in writing on its phone; the
officer reads both and upholds it and the first reserve moves up; the
public page shows the change. Screenshots go to tests/screenshots/results-*.png."""
import pytest
import sqlalchemy as sa
from PIL import Image

from grantportal.awards.models import Award, AwardStatus, Objection, Proposal, ProposalStatus
from grantportal.calls.models import Level
from grantportal.core.db import db, utcnow
from grantportal.orgs.models import Grade
from tests import factories as f
from tests.browser.util import fits_phone, shot, sign_in

pytestmark = pytest.mark.browser


def _award(app):
    db.session.expire_all()
    return db.session.scalar(sa.select(Award).where(Award.application_id == app.id))


def test_officer_publishes_public_objects_on_a_phone_officer_upholds(browser, live_server, tmp_path):
    officer = f.UserFactory(officer=True, username="officer1", name="陈志明")
    f.UserFactory(username="citizen", name="李文璟")  # a registered member of the public
    call, (top, second, third, fourth) = f.ranked_call(
        [dict(total=90, grade=Grade.A4, title="长者幸福食堂"), dict(total=88, title="困境儿童四点半课堂"),
         dict(total=85, grade=Grade.A3, title="社区康复互助站"), dict(total=80, title="青少年禁毒宣传")],
        created_by=officer, tier_rules={"bonus_by_grade": {"4A": "3"}}, publish_panel=True)
    f.member_of(top.org, username="shitang")  # a member of the organization objected to
    city = call.level(Level.CITY)
    city.budget_total = 100000
    f.confirm_calendar_around(utcnow(), officer=officer)  # the officer confirmed this year's 节假日安排
    db.session.commit()

    desk_ctx = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   viewport={"width": 1280, "height": 900})
    desk_ctx.set_default_timeout(15000)
    desk = desk_ctx.new_page()
    sign_in(desk, "officer1")

    # 1. the officer generates the proposal: two selected within the 10万 level budget, two reserves
    desk.goto(f"/manage/calls/{call.id}/proposal")
    desk.click("main button:has-text('生成拟资助方案')")
    desk.wait_for_load_state()
    text = desk.inner_text("main")
    assert "长者幸福食堂" in text and "候补第1位" in text and "加3分" in text
    assert [_award(a).status for a in (top, second, third, fourth)] == [
        AwardStatus.SELECTED, AwardStatus.SELECTED, AwardStatus.RESERVE, AwardStatus.RESERVE]
    shot(desk, "results-1-proposal")

    # 2. adjusts the second project: above its request is refused, 4万 with a reason is kept
    desk.goto(f"/manage/awards/{_award(second).id}/adjust")
    desk.fill("#amount", "60000")
    desk.fill("#reason", "按评审意见核减")
    desk.click("main button:has-text('保存调整')")
    assert "不能超过申请金额" in desk.inner_text("main")
    assert desk.input_value("#reason") == "按评审意见核减"  # what was typed is kept
    desk.fill("#amount", "40000")
    desk.click("main button:has-text('保存调整')")
    desk.wait_for_load_state()
    assert _award(second).amount == 40000 and _award(second).adjust_reason == "按评审意见核减"
    shot(desk, "results-2-adjusted")

    # 3. publishes for 5 working days
    desk.goto(f"/manage/calls/{call.id}/proposal/publish")
    desk.click("main input[value='确认发布公示']")
    desk.wait_for_load_state()
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.call_id == call.id))
    assert proposal.status == ProposalStatus.PUBLICIZED and "公示" in desk.inner_text("main")

    # 4. a member of the public reads the 公示 on a phone, signs in and objects to the first project
    phone_ctx = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                    viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                    is_mobile=True, has_touch=True)
    phone_ctx.set_default_timeout(15000)
    phone = phone_ctx.new_page()
    errors = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.goto(f"/calls/{call.id}/results")
    text = phone.inner_text("main")
    assert "拟资助项目公示" in text and "距公示结束还有" in text and "长者幸福食堂" in text
    assert "4万元" in text and "候补第1位" in text
    fits_phone(phone)
    shot(phone, "results-3-publicity-phone")
    phone.click("a:has-text('登录后提出异议') >> nth=0")
    phone.fill("#username", "citizen")
    phone.fill("#password", f.PASSWORD)
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    assert "提出异议" in phone.inner_text("main") and "长者幸福食堂" in phone.inner_text("main")
    phone.fill("#contact", "13812345678")
    phone.fill("#reason", "该项目的助餐点与另一已资助项目为同一场地、同一批服务对象，存在重复申报。")
    phone.click("main button:has-text('提交异议')")
    assert "请填写真实姓名" in phone.inner_text("main")  # refused, and the reason typed is still there
    assert "重复申报" in phone.input_value("#reason")
    evidence = tmp_path / "现场照片.png"
    Image.new("RGB", (64, 48), "gray").save(evidence, format="PNG")
    phone.fill("#real_name", "李文璟")
    phone.set_input_files("#evidence", str(evidence))
    fits_phone(phone)
    shot(phone, "results-4-objection-form")
    phone.click("main button:has-text('提交异议')")
    phone.wait_for_load_state()
    assert "待处理" in phone.inner_text("main")
    objection = db.session.scalar(sa.select(Objection))
    assert (objection.real_name, len(objection.files)) == ("李文璟", 1)

    # 4b. the organization objected to was told; on a phone it reads the reason (never who objected) and answers
    org_ctx = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    org_ctx.set_default_timeout(15000)
    org_phone = org_ctx.new_page()
    sign_in(org_phone, "shitang")
    org_phone.goto("/objections/mine")
    assert "本机构项目收到的异议" in org_phone.inner_text("main") and "未答复" in org_phone.inner_text("main")
    org_phone.click("main a:has-text('答复')")
    text = org_phone.inner_text("main")
    assert "重复申报" in text and "李文璟" not in text and "13812345678" not in text
    org_phone.fill("#response", "太短")
    org_phone.click("main button:has-text('提交书面答复')")
    assert "答复应为10至" in org_phone.inner_text("main") and org_phone.input_value("#response") == "太短"
    org_phone.fill("#response", "本项目助餐点与另一项目共用社区活动室，但服务时段和服务对象名单不同，附名单备查。")
    fits_phone(org_phone)
    shot(org_phone, "results-4b-response-phone")
    org_phone.click("main button:has-text('提交书面答复')")
    org_phone.wait_for_load_state()
    assert "书面答复已提交" in org_phone.inner_text("main")
    db.session.expire_all()
    assert "服务时段" in db.session.scalar(sa.select(Objection)).response
    org_ctx.close()

    # 5. the officer sees who objected (confidential) and the organization's response, investigates, upholds it
    desk.goto(f"/manage/calls/{call.id}/objections")
    assert "李文璟" in desk.inner_text("main") and "13812345678" in desk.inner_text("main")
    desk.click("main a[href*='/manage/objections/']")
    assert "服务时段和服务对象名单不同" in desk.inner_text("main")  # the written response, beside the objection
    desk.check("input[name=outcome][value=upheld]")
    desk.fill("#investigation", "经实地核查，两项目服务场地和对象确有重叠。")
    desk.fill("#public_summary", "经核查，异议成立，取消该项目入选资格，由候补项目递补。")
    shot(desk, "results-5-decide")
    desk.click("main button:has-text('保存处理结果')")
    desk.wait_for_load_state()
    assert _award(top).status == AwardStatus.CANCELLED and _award(third).status == AwardStatus.SELECTED
    assert "递补" in desk.inner_text("main")

    # 6. the public page shows the change and its history, never the objector
    phone.goto(f"/calls/{call.id}/results")
    text = phone.inner_text("main")
    assert "异议成立" in text and "社区康复互助站" in text and "递补" in text
    assert "李文璟" not in text and "13812345678" not in text
    fits_phone(phone)
    shot(phone, "results-6-after-objection-phone")
    assert not errors, f"JavaScript errors on the page: {errors}"
    phone_ctx.close()
    desk_ctx.close()
