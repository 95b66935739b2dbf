"""From final results to a closed project in a real browser (Issue 5): the officer issues the notices and the
contract; the organization downloads the contract, is refused a wrong file, uploads the signed scan; the officer
confirms it and pays the first tranche (a payment above the tranche refused first); the organization files a
progress report and the 中期报告 on a phone; the officer accepts them, records the 中期评估 and pays the second
tranche; the 结项报告, the 验收, the final tranche and the closure follow; anyone checks the contract on its
verification page and follows the project on the public site. Screenshots: tests/screenshots/funding-*.png."""
import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from grantportal.core.db import db
from grantportal.documents.models import DocumentKind, DocumentStatus, IssuedDocument
from grantportal.funding.models import Contract, ContractStatus, Payment
from grantportal.monitoring.models import Report, ReportKind, ReportStatus
from grantportal.orgs.models import Grade
from tests import factories as f
from tests.browser.util import fits_phone, html, shot, sign_in
from tests.monitoring.conftest import png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def sync_jobs(app):
    """PDFs render right after the commit that queued them, inside the request (deterministic)."""
    app.config.update(JOBS_SYNC=True)


def _contract():
    db.session.expire_all()
    return db.session.scalar(sa.select(Contract))


def _report(kind):
    """The first report of ``kind`` by due date (a contract has several progress reports)."""
    db.session.expire_all()
    return db.session.scalar(sa.select(Report).where(Report.kind == kind).order_by(Report.due_on).limit(1))


def _pay(desk, contract, amount, voucher):
    desk.goto(f"/manage/contracts/{contract.id}/payments")
    desk.fill("#amount", amount)
    desk.fill("#voucher_number", voucher)
    desk.click("main button:has-text('登记拨付')")
    desk.wait_for_load_state()


def _file_report(phone, kind_label, contract, photo=None):
    phone.goto(f"/projects/{contract.id}/timeline")
    phone.click(f"main a:has-text('{kind_label}') >> nth=0")
    phone.fill("#activities", "开展社区长者探访12次，举办健康讲座2场。")
    phone.fill("#served_count", "120")
    phone.fill("#outcomes", "建立长者健康档案40份，志愿者队伍扩充至25人。")
    for row in phone.query_selector_all("input[id^='spending-'][id$='-spent']"):
        row.fill("1200.50")
    if photo:
        phone.set_input_files("#photos", str(photo))
    fits_phone(phone)
    phone.click("#submit")
    phone.wait_for_load_state()
    assert "已提交，等待项目官员审核" in html(phone)


def _accept(desk, report):
    desk.goto(f"/reports/{report.id}")
    desk.click("#accept")
    desk.wait_for_load_state()
    assert "已审核通过" in html(desk)


def _evaluate(desk, contract, stage, grade, comments):
    desk.goto(f"/projects/{contract.id}/timeline")
    desk.click("main a:has-text('记录评估结果')")
    desk.check(f"input[name=stage][value={stage}]")
    desk.check(f"input[name=grade][value={grade}]")
    desk.fill("#comments", comments)
    desk.click("main button:has-text('保存评估结果')")
    desk.wait_for_load_state()


def test_notice_contract_signing_tranches_reports_evaluations_closure(browser, live_server, tmp_path):
    officer = f.UserFactory(officer=True, username="officer1", name="陈志明")
    call, (award, rejected) = f.final_awards(  # the second organization is unrated: below the call's 3A minimum
        [dict(total=90, requested="50000", grade=Grade.A4, title="长者幸福食堂"),
         dict(total=60, requested="60000", title="青少年禁毒宣传")], created_by=officer, min_grade=Grade.A3)
    f.member_of(award.application.org, username="member1")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()

    desk_ctx = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                   viewport={"width": 1280, "height": 900}, accept_downloads=True)
    desk_ctx.set_default_timeout(20000)
    desk = desk_ctx.new_page()
    phone_ctx = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai",
                                    viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                    is_mobile=True, has_touch=True, accept_downloads=True)
    phone_ctx.set_default_timeout(20000)
    phone = phone_ctx.new_page()
    errors = []
    for p in (desk, phone):
        p.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(desk, "officer1")
    sign_in(phone, "member1")

    # 1. from the call list to its documents: the notices for both projects in one batch
    desk.goto("/manage/calls")
    desk.click("main a:has-text('文书管理')")
    desk.click("main button:has-text('批量出具入选/未入选通知书')")
    desk.wait_for_load_state()
    assert "2/2" in desk.inner_text("main") or "已完成" in desk.inner_text("main")
    desk.click("main a:has-text('文书管理') >> nth=-1")
    text = desk.inner_text("main")
    assert "入选通知书" in text and "未入选告知书" in text and "待生成\n0 份" in text
    shot(desk, "funding-1-documents")

    # 2. the contract, from the call's money summary
    desk.click("nav a:has-text('资金汇总')")
    desk.click("main a:has-text('出具合同')")
    desk.fill("#starts_on", today.isoformat())
    desk.fill("#deliverables", "为社区60岁以上长者提供助餐服务不少于3000人次\n开展健康讲座不少于6场")
    desk.click("main button:has-text('出具合同')")
    desk.wait_for_load_state()
    contract = _contract()
    assert contract.status == ContractStatus.ISSUED and contract.document.status == DocumentStatus.ISSUED
    number = contract.document.number
    assert number in desk.inner_text("main") and "待签署" in desk.inner_text("main")
    shot(desk, "funding-2-contract-issued")

    # 3. the organization finds the notice and the contract on its application page (phone), downloads the
    #    contract, is refused a text file and uploads the signed scan
    phone.goto(f"/applications/{award.application_id}")
    text = phone.inner_text("main")
    assert "入选通知书" in text and number in text
    fits_phone(phone)
    shot(phone, "funding-3-application-phone")
    phone.click("main a:has-text('合同签署')")
    with phone.expect_download() as download:
        phone.click("main a:has-text('下载 PDF')")
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == contract.document.sha256
    wrong = tmp_path / "合同.txt"
    wrong.write_text("不是扫描件", encoding="utf-8")
    phone.set_input_files("#scan", str(wrong))
    phone.click("main button:has-text('上传签署件')")
    assert "不支持该文件类型" in phone.inner_text("main")
    assert _contract().status == ContractStatus.ISSUED  # nothing changed
    scan = tmp_path / "合同签署件.png"
    scan.write_bytes(png_bytes())
    phone.set_input_files("#scan", str(scan))
    fits_phone(phone)
    shot(phone, "funding-4-sign-phone")
    phone.click("main button:has-text('上传签署件')")
    phone.wait_for_load_state()
    assert "等待项目官员确认" in phone.inner_text("main") and _contract().status == ContractStatus.SIGNED

    # 4. the officer checks the scan and confirms: the contract is in force and the reports are scheduled
    desk.goto(f"/manage/awards/{award.id}/contract")
    desk.click("main button:has-text('确认签署件')")
    desk.wait_for_load_state()
    contract = _contract()
    assert contract.status == ContractStatus.ACTIVE and contract.confirmed_at is not None
    kinds = [r.kind for r in db.session.scalars(sa.select(Report).where(Report.contract_id == contract.id))]
    assert ReportKind.MIDTERM in kinds and ReportKind.FINAL in kinds

    # 5. the first tranche (50%): more than the tranche is refused with the typed voucher kept, then paid
    _pay(desk, contract, "30000", "PZ-2026-001")
    assert "超过" in desk.inner_text("main") and desk.input_value("#voucher_number") == "PZ-2026-001"
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 0
    desk.fill("#amount", "25000")
    desk.click("main button:has-text('登记拨付')")
    desk.wait_for_load_state()
    assert db.session.scalar(sa.select(sa.func.sum(Payment.amount))) == 25000
    shot(desk, "funding-5-first-tranche")

    # 6. progress report and 中期报告 from the phone, accepted by the officer
    photo = tmp_path / "活动现场.png"
    photo.write_bytes(png_bytes())
    _file_report(phone, "进度报告", contract, photo)
    shot(phone, "funding-6-report-phone")
    _accept(desk, _report(ReportKind.PROGRESS))
    _file_report(phone, "中期报告", contract)
    _accept(desk, _report(ReportKind.MIDTERM))

    # 7. the second tranche waits for the 中期评估; after a passing one it is paid
    _pay(desk, contract, "15000", "PZ-2026-002")
    assert "中期评估" in desk.inner_text("main")
    assert db.session.scalar(sa.select(sa.func.sum(Payment.amount))) == 25000
    _evaluate(desk, contract, "midterm", "good", "服务对象满意度较高，台账规范，建议加强志愿者培训。")
    _pay(desk, contract, "15000", "PZ-2026-002")
    assert db.session.scalar(sa.select(sa.func.sum(Payment.amount))) == 40000

    # 8. 结项报告, 验收, the final tranche, closure
    _file_report(phone, "结项报告", contract)
    _accept(desk, _report(ReportKind.FINAL))
    _evaluate(desk, contract, "acceptance", "excellent", "各项指标全部完成，社会反响良好。")
    _pay(desk, contract, "10000", "PZ-2026-003")
    desk.goto(f"/projects/{contract.id}/timeline")
    desk.click("main button:has-text('结项')")
    desk.wait_for_load_state()
    assert _contract().status == ContractStatus.CLOSED and "已结项" in desk.inner_text("main")
    shot(desk, "funding-7-closed")

    # 9. the organization's timeline and money page on the phone; a report after closure is refused
    phone.goto(f"/projects/{contract.id}/timeline")
    text = phone.inner_text("main")
    assert "已结项" in text and "中期评估" in text and "良好" in text
    assert "待提交" not in text  # progress reports not yet due were waived at closure
    fits_phone(phone)
    shot(phone, "funding-8-timeline-phone")
    phone.click("main nav a:has-text('资金拨付')")
    text = phone.inner_text("main")
    assert "50,000.00" in text or "50000" in text
    fits_phone(phone)

    # 10. anyone checks the contract on its verification page (not signed in, on a phone)
    public_ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 375, "height": 812},
                                     is_mobile=True)
    public = public_ctx.new_page()
    public.goto(f"/verify/{contract.document.verification_code}")
    text = public.inner_text("main")
    assert number in text and "长者幸福食堂" in text and "现行有效" in text
    assert contract.document.sha256 in text and hashlib.sha256(pdf).hexdigest() in text
    fits_phone(public)
    shot(public, "funding-9-verify-phone")
    public.goto(f"/calls/{call.id}/results")
    public.click("main a:has-text('项目执行公开')")
    public.click("main a:has-text('长者幸福食堂')")
    text = public.inner_text("main")
    assert "已结项" in text and "结项验收：优秀" in text and "PZ-2026-001" not in text
    fits_phone(public)
    shot(public, "funding-10-public-project-phone")
    assert public.goto("/verify/ABCDEFGH12345678").status == 404
    assert "未找到" in public.inner_text("main") or "不存在" in public.inner_text("main")
    rejection = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.kind == DocumentKind.REJECTION_NOTICE))
    assert rejection.award_id == rejected.id and rejection.status == DocumentStatus.ISSUED

    assert not errors, f"JavaScript errors on the page: {errors}"
    public_ctx.close()
    phone_ctx.close()
    desk_ctx.close()
    assert _report(ReportKind.FINAL).status == ReportStatus.ACCEPTED
