"""An officer records a rating announced last year and confirms next year's holiday arrangement."""
from datetime import date

import pytest
from playwright.sync_api import expect

from grantportal.calendar.models import CalendarYear
from grantportal.core.db import db
from grantportal.orgs.models import RatingRecord
from tests.browser.util import shot, sign_in
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.browser


def test_officer_sees_the_validity_follow_the_announcement_date_and_confirms_2027(page):
    UserFactory(officer=True, username="officer1", name="陈志明")
    org = OrganizationFactory(name="中山市博爱社工服务中心")
    db.session.commit()
    sign_in(page, "officer1")

    # 1. the rating form: changing 公告日期 recomputes the validity on the server, the fields follow
    page.goto(f"/manage/orgs/{org.id}/ratings/new")
    page.select_option("#grade", "3A")
    page.fill("#announced_on", "2025-06-30")
    expect(page.locator("#valid_from")).to_have_value("2026-01-01")  # (no wait_for_function: CSP forbids eval)
    assert page.input_value("#valid_until") == "2030-12-31"
    assert "按公告日期计算：2026-01-01 至 2030-12-31" in page.inner_text("#validity-preview")
    shot(page, "calendar-1-rating-validity")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/manage/orgs/{org.id}")
    record = db.session.scalar(db.select(RatingRecord).where(RatingRecord.org_id == org.id))
    assert (record.valid_from, record.valid_until) == (date(2026, 1, 1), date(2030, 12, 31))

    # 2. 2027 is not confirmed: the officer enters the notice's make-up day and confirms
    page.click("nav >> text=节假日安排")
    assert "未确认" in page.inner_text("main")
    page.goto("/manage/calendar/2027")
    assert "尚未收录2027年的通知" in page.inner_text("main")
    page.fill("#workdays", "2027-01-30 春节调休上班")
    page.fill("#notice_number", "国办发明电〔2026〕1号")
    page.check("#checked")
    page.click("main button:has-text('确认2027年安排')")
    page.wait_for_load_state()
    assert "已确认2027年节假日安排" in page.inner_text("main")
    shot(page, "calendar-2-confirmed-2027")
    db.session.expire_all()
    assert db.session.get(CalendarYear, 2027).notice_number == "国办发明电〔2026〕1号"
