"""The applicant journey in a real browser (Issue 2): an organization registers, is verified, drafts and
submits an application; the officer screens it. Screenshots go to tests/screenshots/journey-*.png."""
import re
from datetime import date

import pytest

from grantportal.applications.models import Application, AppStatus, Screening
from grantportal.core.db import db
from grantportal.core.uscc import make_uscc
from grantportal.orgs.models import Organization, OrgStatus
from tests.browser.util import fits_phone, shot, sign_in
from tests.factories import PASSWORD, CallFactory, UserFactory
from tests.permissions.world import TINY_PDF

pytestmark = pytest.mark.browser


def test_organization_registers_applies_and_is_screened(app, browser, live_server, tmp_path):
    app.config["MAIL_BACKEND"] = "memory"
    officer = UserFactory(officer=True, username="officer1", name="陈志明")
    call = CallFactory(created_by=officer, name="“博爱100”公益创投活动", edition="第十二届")
    doc = next(d for d in call.documents if d.required)
    code = make_uscc("2", "442000", 778899)
    certificate = tmp_path / "登记证书.pdf"
    certificate.write_bytes(TINY_PDF)
    plan = tmp_path / "项目申报书.pdf"
    plan.write_bytes(TINY_PDF)

    org_ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    org_ctx.set_default_timeout(15000)
    applicant = org_ctx.new_page()

    # 1. an organization opens an account and registers (on a phone)
    applicant.goto("/register")
    applicant.fill("#username", "ngo_li")
    applicant.fill("#name", "李晓燕")
    applicant.fill("#phone", "13800138000")
    applicant.fill("#email", "li.xiaoyan@example.cn")
    applicant.fill("#password", "Ngo-password-2026")
    applicant.fill("#password2", "Ngo-password-2026")
    applicant.click("main button[type=submit]")
    assert "请查收确认邮件" in applicant.inner_text("main")
    link = re.search(r"http\S+", app.extensions["gp_outbox"][-1][2]).group(0)  # the link in the mail
    applicant.goto(link)
    applicant.click("main button[type=submit]")
    applicant.wait_for_url("**/org/register")
    applicant.fill("#uscc", "53100000500019795B")  # wrong check character first
    applicant.fill("#name", "中山市石岐长者关爱社会工作服务中心")
    applicant.fill("#registration_authority", "中山市民政局")
    applicant.fill("#registered_on", "2018-05-10")
    applicant.fill("#legal_rep", "王建华")
    applicant.fill("#contact_name", "李晓燕")
    applicant.fill("#contact_phone", "13800138000")
    applicant.select_option("#district", "石岐街道")
    applicant.fill("#address", "广东省中山市石岐街道孙文中路1号")
    applicant.fill("#charter_scope", "为社区长者提供社会工作服务。")
    applicant.check("input[name=service_fields][value=养老服务]")
    applicant.set_input_files("#certificate", str(certificate))
    applicant.click("main button[type=submit]")
    assert "校验位不正确" in applicant.inner_text("main")
    assert applicant.input_value("#name") == "中山市石岐长者关爱社会工作服务中心"  # what was typed is kept
    fits_phone(applicant, 390)
    shot(applicant, "journey-1-register-error")
    applicant.fill("#uscc", code)
    applicant.set_input_files("#certificate", str(certificate))
    applicant.click("main button[type=submit]")
    applicant.wait_for_load_state()
    applicant.wait_for_url("**/org/")
    assert "待审核" in applicant.inner_text("main")
    assert "社会服务机构" in applicant.inner_text("main")  # the category read from the code
    shot(applicant, "journey-2-pending")

    # 2. the officer verifies it and records last year's annual inspection
    staff_ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    staff_ctx.set_default_timeout(15000)
    desk = staff_ctx.new_page()
    sign_in(desk, "officer1", PASSWORD)
    desk.goto("/manage/orgs/?status=pending")
    desk.click("text=中山市石岐长者关爱社会工作服务中心")
    shot(desk, "journey-3-officer-review")
    desk.click("button:has-text('审核通过')")
    assert "已认证" in desk.inner_text("main")
    desk.click("text=录入年检结论")
    desk.fill("#year", str(date.today().year - 1))
    desk.select_option("#result", "qualified")
    desk.click("main button[type=submit]")
    assert "合格" in desk.inner_text("main")

    # 3. the organization drafts an application, saves, then submits
    applicant.goto(f"/calls/{call.id}")
    applicant.click("text=在线申报")
    applicant.select_option("#level", "city")
    applicant.select_option("#category", "养老服务")
    applicant.fill("#title", "长者幸福食堂与居家探访计划")
    applicant.click("text=保存草稿")  # an incomplete draft can be saved
    assert "草稿" in applicant.inner_text("main")
    for field, text in [("#summary", "为独居长者提供助餐和探访。"), ("#need_analysis", "社区60岁以上老人占比超过20%。"),
                        ("#objectives", "一年内服务200名长者。"), ("#activity_plan", "每周探访，每日助餐。"),
                        ("#beneficiaries", "独居、空巢长者"), ("#target_count", "200"),
                        ("#area_served", "中山市石岐街道"), ("#team", "持证社工3名，志愿者30名。")]:
        applicant.fill(field, text)
    applicant.select_option("#district", "石岐街道")
    lines = [("人员经费", "社工补贴", "30000", "grant"), ("活动经费", "助餐食材", "20000", "grant"),
             ("活动经费", "机构自筹助餐补贴", "40000", "matched")]
    for i, (category, item, amount, source) in enumerate(lines):
        applicant.select_option(f"#budget-{i}-category", category)
        applicant.fill(f"#budget-{i}-item", item)
        applicant.fill(f"#budget-{i}-amount", amount)
        applicant.select_option(f"#budget-{i}-source", source)
    applicant.set_input_files(f"#doc-{doc.id}", str(plan))
    applicant.click("text=保存并检查提交")
    applicant.wait_for_load_state()
    body = applicant.inner_text("main")
    assert "¥90,000.00" in body and "¥50,000.00" in body  # totals computed on the server
    assert "项目申报书.pdf" in body  # the Chinese file name is kept for display
    fits_phone(applicant, 390)
    shot(applicant, "journey-4-draft-check")
    assert "诚信承诺书" in applicant.inner_text("#submit")
    applicant.click("button:has-text('确认提交申报书')")  # the pledge not ticked: refused, nothing submitted
    applicant.wait_for_load_state()
    assert "请阅读诚信承诺书并勾选确认后再提交" in applicant.inner_text("main")
    applicant.check("#pledge_agree")  # the signer's name is filled in with the legal representative's
    applicant.click("button:has-text('确认提交申报书')")
    applicant.wait_for_load_state()
    assert "已提交" in applicant.inner_text("main")
    shot(applicant, "journey-5-submitted")

    # 4. the officer screens it
    desk.goto(f"/manage/calls/{call.id}/applications")
    desk.click("text=长者幸福食堂与居家探访计划")
    desk.click("a:has-text('资格审查')")
    shot(desk, "journey-6-screening")
    desk.check("input[name=outcome][value=passed]")
    desk.click("button:has-text('保存审查结论')")
    desk.wait_for_load_state()
    assert "资格审查通过" in desk.inner_text("main")

    # 5. the organization sees the outcome
    applicant.goto("/applications/")
    assert "资格审查通过" in applicant.inner_text("main")
    shot(applicant, "journey-7-outcome")

    org = db.session.scalar(db.select(Organization).where(Organization.uscc == code))
    app = db.session.scalar(db.select(Application).where(Application.org_id == org.id))
    assert org.status == OrgStatus.VERIFIED
    assert app.status == AppStatus.SUBMITTED and app.screening == Screening.PASSED
    assert app.number and app.number.startswith(call.code)
    org_ctx.close()
    staff_ctx.close()
