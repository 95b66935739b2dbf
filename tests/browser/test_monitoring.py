"""The monitoring pages in a real browser: the organization fills a report on a phone (spending table and
photo upload fit the screen) and both sides read the timeline. Screenshots: tests/screenshots/monitoring-*.png."""
import pytest

from grantportal.core.db import db
from grantportal.monitoring import operations as ops
from grantportal.monitoring.models import ReportStatus
from tests.browser.util import fits_phone, html, shot, sign_in
from tests.monitoring.conftest import png_bytes

pytestmark = pytest.mark.browser


def test_a_member_files_a_report_on_a_phone_and_the_officer_sees_it(phone, page, scheduled, tmp_path):
    report = scheduled.reports[0]
    photo = tmp_path / "活动现场.png"
    photo.write_bytes(png_bytes())
    sign_in(phone, scheduled.member.username)
    phone.goto("/my/projects")
    fits_phone(phone)
    phone.click(f"text={scheduled.award.application.title}")
    phone.click("text=进度报告 >> nth=0")
    phone.fill("#activities", "开展社区长者探访12次，举办健康讲座2场。")
    phone.fill("#served_count", "120")
    phone.fill("#outcomes", "建立长者健康档案40份。")
    for i in range(len(ops.budget_lines(report))):
        phone.fill(f"#spending-{i}-spent", "1200.50")
    phone.set_input_files("#photos", str(photo))
    fits_phone(phone)
    shot(phone, "monitoring-report-phone")
    phone.click("#submit")
    phone.wait_for_load_state()
    assert "已提交，等待项目官员审核" in html(phone)
    db.session.expire_all()
    assert db.session.get(type(report), report.id).status == ReportStatus.SUBMITTED
    shot(phone, "monitoring-timeline-phone")

    sign_in(page, scheduled.officer.username)
    page.goto("/manage/monitoring")
    shot(page, "monitoring-manage")
    page.goto(f"/reports/{report.id}")
    page.fill("#note", "")
    page.click("#accept")
    page.wait_for_load_state()
    assert "已审核通过" in html(page)
    shot(page, "monitoring-timeline")
