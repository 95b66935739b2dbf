"""Expert review in a real browser (Issue 3): the officer draws a panel (the conflicted expert is left
out), an expert scores and submits, the officer sees the aggregation and exports it.
Screenshots go to tests/screenshots/review-*.png."""
import io

import pytest
from openpyxl import load_workbook

from grantportal.core.db import db
from grantportal.experts.conflicts import new_conflict
from grantportal.experts.models import ConflictSource
from grantportal.review.models import Assignment, Draw, Review, ReviewStatus, RoundStatus
from tests import factories as f
from tests.browser.util import shot, sign_in

pytestmark = pytest.mark.browser


def test_officer_draws_expert_scores_officer_exports(browser, live_server):
    officer = f.UserFactory(officer=True, username="officer1", name="陈志明")
    call = f.close_applications(f.CallFactory(created_by=officer))  # a round opens after the deadline
    app = f.screened_application(call, title="长者幸福食堂与居家探访计划")
    rnd = f.ReviewRoundFactory(call=call, status=RoundStatus.DRAFT, panel_size=3, aggregation="mean")
    scorer = f.expert(user_username="expert_guo", user_name="郭建华")
    others = [f.expert(user_username=f"expert_{i}", user_name=name) for i, name in enumerate(["林晓", "黄敏"])]
    conflicted = f.expert(user_username="expert_conflict", user_name="周立璟")
    db.session.add(new_conflict(conflicted.expert_profile, conflicted, "近三年曾任申报机构理事",
                                ConflictSource.DECLARED, org=app.org))
    db.session.commit()

    staff_ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900},
                                    accept_downloads=True)
    staff_ctx.set_default_timeout(15000)
    desk = staff_ctx.new_page()
    sign_in(desk, "officer1")

    # 1. the officer draws the panel; the conflicted expert is left out, and the draw can be replayed
    desk.goto(f"/manage/rounds/{rnd.id}")
    desk.click("button:has-text('为全部申报随机抽取评审组')")
    desk.wait_for_load_state()
    row = desk.inner_text("main")
    assert "3/3" in row and "郭建华" in row and "周立璟" not in row
    shot(desk, "review-1-panel-drawn")
    draw = db.session.scalar(db.select(Draw).where(Draw.round_id == rnd.id))
    desk.goto(f"/manage/draws/{draw.id}")
    text = desk.inner_text("main")
    assert "复核一致" in text and "回避" in text and "周立璟" in text
    shot(desk, "review-2-draw-replay")
    desk.goto(f"/manage/rounds/{rnd.id}")
    desk.click("button:has-text('开始评审')")
    desk.wait_for_load_state()
    assert "评审中" in desk.inner_text("main")

    # 2. the expert scores on a tablet-sized screen and submits
    tablet_ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 820, "height": 1180},
                                     has_touch=True)
    tablet_ctx.set_default_timeout(15000)
    pad = tablet_ctx.new_page()
    sign_in(pad, "expert_guo")
    assert "长者幸福食堂与居家探访计划" in pad.inner_text("main")  # the worklist
    shot(pad, "review-3-worklist")
    pad.click("a:has-text('开始评分')")
    criteria = rnd.criteria
    inputs = pad.locator(".score input")
    assert inputs.count() == len(criteria)
    inputs.nth(0).fill(str(int(criteria[0].max_points) + 5))  # above the maximum
    pad.click("text=暂存")
    assert "满分" in pad.inner_text("main")
    for i, criterion in enumerate(criteria):
        pad.locator(".score input").nth(i).fill(str(int(criterion.max_points * 8 / 10)))
    pad.fill("#comment", "需求分析扎实，活动设计可行，建议细化志愿者管理。")
    shot(pad, "review-4-scoring")
    pad.click("input[value='提交评审']")
    pad.wait_for_load_state()
    assert "已提交" in pad.inner_text("main")
    tablet_ctx.close()

    review = db.session.scalar(db.select(Review).join(Assignment).where(Assignment.expert_id == scorer.id))
    assert review.status == ReviewStatus.SUBMITTED
    assert review.total == sum(int(c.max_points * 8 / 10) for c in criteria)
    for other in others:  # the other two panel members finish outside the browser
        assignment = db.session.scalar(db.select(Assignment).where(Assignment.expert_id == other.id))
        f.submitted_review(assignment, total=70 if other.name == "林晓" else 90)

    # 3. the officer sees the aggregation and exports it
    desk.goto(f"/manage/rounds/{rnd.id}/results")
    text = desk.inner_text("main")
    expected_mean = (review.total + 70 + 90) / 3
    assert f"{expected_mean:.2f}" in text
    shot(desk, "review-5-results")
    with desk.expect_download() as info:
        desk.click("text=导出评分表（XLSX）")
    with open(info.value.path(), "rb") as fh:
        workbook = load_workbook(io.BytesIO(fh.read()))
    cells = [str(c.value) for ws in workbook.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert "长者幸福食堂与居家探访计划" in cells
    staff_ctx.close()
