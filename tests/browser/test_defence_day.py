"""答辩日 on a 768 px tablet (issue 14): the officer draws the running order and schedules the day; an expert of the
panel sees the day's running order with times on the worklist, and neither page is wider than the screen.
Screenshots go to tests/screenshots/defence-*.png."""
from datetime import timedelta

import pytest

from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import to_local
from grantportal.review.models import DefenceSlot, RoundKind
from tests import factories as f
from tests.browser.util import fits_phone, shot, sign_in

pytestmark = pytest.mark.browser


def _tablet(browser, live_server):
    ctx = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                              viewport={"width": 768, "height": 1024}, has_touch=True)
    ctx.set_default_timeout(15000)
    return ctx


def test_officer_draws_the_order_and_the_expert_sees_it(browser, live_server):
    officer = f.UserFactory(officer=True, username="officer1", name="陈志明")
    call = f.CallFactory(created_by=officer)
    rnd = f.ReviewRoundFactory(call=call, name="答辩复评", kind=RoundKind.DEFENCE)
    apps = [f.screened_application(call, title=t) for t in ("长者幸福食堂", "困境儿童陪伴", "社区矫正帮教")]
    scorer = f.expert(user_username="expert_guo", user_name="郭建华")
    for a in apps:
        f.AssignmentFactory(round=rnd, application=a, expert=scorer)
    db.session.commit()

    officer_ctx = _tablet(browser, live_server)
    desk = officer_ctx.new_page()
    sign_in(desk, "officer1")
    desk.goto(f"/manage/rounds/{rnd.id}/defence")
    desk.click("main button:has-text('随机抽取出场顺序')")
    desk.wait_for_load_state()
    assert "按种子复算一致" in desk.inner_text("main")
    desk.fill("#day", to_local(utcnow() + timedelta(days=3)).date().isoformat())
    desk.fill("#first_start", "09:00")
    desk.fill("#minutes", "20")
    desk.fill("#break_minutes", "5")
    desk.fill("#venue", "市民政局三楼会议室")
    desk.click("main button:has-text('安排并通知申报机构')")
    desk.wait_for_load_state()
    assert "已安排3个答辩时段" in desk.inner_text("main")
    fits_phone(desk, 768)
    shot(desk, "defence-1-officer-day")
    officer_ctx.close()

    slots = db.session.scalars(db.select(DefenceSlot).order_by(DefenceSlot.starts_at)).all()
    pad_ctx = _tablet(browser, live_server)
    pad = pad_ctx.new_page()
    sign_in(pad, "expert_guo")
    pad.goto("/review/")
    text = pad.inner_text("main")
    assert "第1场" in text and "09:00" in text
    titles = [s.application.title for s in slots]
    assert [text.index(t) for t in titles] == sorted(text.index(t) for t in titles)  # in the running order
    fits_phone(pad, 768)
    shot(pad, "defence-2-expert-running-order")
    pad_ctx.close()
