"""Stage guards in a real browser (issue 11): a round that may not open yet says why and offers no button;
closing it with a review missing asks for a reason to exclude it; a closed round reopens with a reason.
Screenshots: tests/screenshots/round-guard-*.png."""
import pytest

from grantportal.core.db import db
from tests import factories as f
from tests.browser.util import shot, sign_in
from tests.review.test_round_guards import open_round_with_a_missing_review, ready_round

pytestmark = pytest.mark.browser


def test_an_officer_is_told_why_a_round_cannot_open_and_closes_it_with_a_reason(page, officer):
    call = f.CallFactory(created_by=officer)
    draft, _app = ready_round(call, officer)
    sign_in(page, officer.username)
    page.goto(f"/manage/rounds/{draft.id}")
    main = page.inner_text("main")
    assert "申报截止时间" in main and page.locator("button:has-text('开始评审')").count() == 0
    shot(page, "round-guard-1-not-yet")

    other = f.CallFactory(created_by=officer)
    rnd, _missing = open_round_with_a_missing_review(other, officer)
    db.session.commit()
    page.goto(f"/manage/rounds/{rnd.id}")
    page.click("a:has-text('结束评审')")
    page.wait_for_load_state()
    assert "还有1份评分未提交" in page.inner_text("main")
    page.check("#confirm")
    page.click("button:has-text('结束评审')")
    page.wait_for_load_state()
    assert "填写理由排除未提交的评审" in page.inner_text("main")
    page.fill("#exclude_reason", "该专家因病无法完成评审，经评审组同意排除")
    page.check("#confirm")
    page.click("button:has-text('结束评审')")
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "排除了1份未提交的评审" in main and "因病无法完成评审" in main
    shot(page, "round-guard-2-closed")

    page.click("a:has-text('重新开启评审')")
    page.wait_for_load_state()
    page.fill("#reason", "发现一位专家存在回避情形，需替换后重评")
    page.click("button:has-text('重新开启评审')")
    page.wait_for_load_state()
    assert "需替换后重评" in page.inner_text("main")
    shot(page, "round-guard-3-reopened")
