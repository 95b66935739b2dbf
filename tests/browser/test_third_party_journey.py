"""The third party's journey in a real browser: an inspector on a tablet (768×1024) records a 实地检查 with findings
and a photo and submits it; the officer confirms it and, from its findings, sends a 整改通知书 (the tranches pause);
the organization files its 整改报告 on a phone (375px); the inspector verifies 整改完成 on the tablet; the paused
tranche is payable again. Screenshots: tests/screenshots/third-party-*.png, with the first page of the project's
contract as rendered (``pdftoppm -png -r 60 -f 1 -l 1``)."""
import subprocess
from datetime import timedelta

import pytest

from grantportal.core.db import db
from grantportal.core.roles import Role
from grantportal.core.storage import get_storage
from grantportal.core.timeutil import local_today
from grantportal.documents import operations as doc_ops
from grantportal.documents.models import IssuedDocument
from grantportal.funding.contracts.operations import prepare_contract
from grantportal.funding.models import ContractStatus
from grantportal.funding.payments.operations import refresh_tranches
from grantportal.funding.queries import contract_terms
from grantportal.inspection import operations as ops
from grantportal.inspection.models import AgencyStaff, InspectionVisit
from grantportal.monitoring.rectification_models import CaseStatus, RectificationCase
from tests import factories as f
from tests.browser.util import SCREENSHOTS, fits_phone, html, shot, sign_in
from tests.inspection.conftest import agency
from tests.monitoring.conftest import CONFIRMED, png_bytes

pytestmark = pytest.mark.browser

TABLET = {"viewport": {"width": 768, "height": 1024}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai", **TABLET)
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


def _world(app):
    """A project in progress whose contract PDF is issued, its member, the officer, and an agency appointed to
    the project with its inspector."""
    app.config["JOBS_SYNC"] = True  # the contract and the 整改通知书 render at their commit
    call, awards = f.final_awards()
    officer = call.created_by
    award = awards[0]
    contract = prepare_contract(award, officer, local_today() - timedelta(days=30))
    contract.deliverables = "直接服务社区长者200人次\n开展健康讲座与探访活动48场\n培育志愿者30名"
    doc = doc_ops.issue_document(award, doc_ops.contract_kind(call), officer, terms=contract_terms(contract))
    contract.document = doc
    db.session.commit()
    contract.status, contract.confirmed_at, contract.confirmed_by_id = ContractStatus.ACTIVE, CONFIRMED, officer.id
    db.session.flush()
    refresh_tranches(contract)
    member = f.member_of(award.application.org)
    third = agency(officer, "中山市明德社会工作评估中心", 73001)
    inspector = f.UserFactory(role=Role.THIRD_PARTY, name="周检查")
    db.session.add(AgencyStaff(agency=third, user=inspector))
    ops.appoint(third, officer, local_today() - timedelta(days=1), local_today() + timedelta(days=180),
                contract=contract)
    db.session.commit()
    return contract, db.session.get(IssuedDocument, doc.id), officer, member, inspector


def _contract_page(doc, tmp_path):
    """The contract's first page as the office would see it: pdftoppm at 60 dpi, kept with the screenshots."""
    pdf = tmp_path / "contract.pdf"
    pdf.write_bytes(get_storage().read(doc.file.storage_key))
    SCREENSHOTS.mkdir(exist_ok=True)
    target = SCREENSHOTS / "third-party-contract-page1"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],  # noqa: S603, S607
                   check=True)
    png = target.with_suffix(".png")
    assert png.stat().st_size > 5000
    return png


def test_a_visit_becomes_a_rectification_that_the_third_party_verifies(app, tablet, page, phone, tmp_path):
    contract, doc, officer, member, inspector = _world(app)
    title = contract.award.application.title
    _contract_page(doc, tmp_path)
    photo = tmp_path / "台账检查.png"
    photo.write_bytes(png_bytes())

    # the inspector, on a tablet, records the visit
    sign_in(tablet, inspector.username)
    tablet.goto("/third-party/projects")
    tablet.click(f"text={title}")
    assert "培育志愿者30名" in html(tablet)  # the contract's 绩效目标
    shot(tablet, "third-party-project-tablet")
    tablet.click("text=新建实地检查")
    tablet.fill("#visited_at", (local_today() - timedelta(days=1)).isoformat() + "T09:30")
    tablet.fill("#place", "幸福社区长者服务站")
    for i in range(len(ops.CHECKLIST)):
        tablet.check(f"#checks-{i}-result-{2 if i == 1 else 0}")  # 台账记录完整：不符合
    tablet.fill("#checks-1-note", "3月份探访记录缺失")
    tablet.fill("#findings", "服务台账缺少3月份探访记录\n志愿者培训未按计划开展")
    tablet.fill("#people_met", "张某某（项目负责人）\n李某（社工）")
    tablet.set_input_files("#photos", str(photo))
    fits_phone(tablet, 768)
    shot(tablet, "third-party-visit-tablet")
    tablet.click("#submit")  # 提交项目官员确认
    tablet.wait_for_load_state()
    assert "实地检查记录已提交，等待项目官员确认" in html(tablet)

    # the officer confirms it and sends a 整改通知书 from its findings
    sign_in(page, officer.username)
    page.goto("/inbox")
    assert "实地检查记录待确认" in html(page)
    visit = db.session.query(InspectionVisit).one()
    page.goto(f"/third-party/visits/{visit.id}")
    assert "台账检查.png" in html(page) and "张某某（项目负责人）" in html(page)
    shot(page, "third-party-visit-officer")
    page.click("#confirm")  # 确认
    page.wait_for_load_state()
    assert "已确认" in html(page)
    page.click("text=据此责令整改")
    assert page.input_value("#findings").startswith("服务台账缺少3月份探访记录")
    page.click("button:has-text('出具整改通知书')")
    page.wait_for_load_state()
    assert "后续资金已暂停拨付" in html(page)
    shot(page, "third-party-rectification-notice")
    case = db.session.query(RectificationCase).one()

    # the organization, on a phone, files its 整改报告
    sign_in(phone, member.username)
    phone.goto(f"/projects/{contract.id}/timeline")
    assert "项目整改期间暂停拨付" in html(phone) and "第三方实地检查" in html(phone)
    assert "张某某" not in html(phone)  # the people met are not shown to the organization
    phone.click(".monitoring-rectifications a")
    phone.fill("#body", "已补齐3月份探访记录，并于上周完成志愿者培训。")
    phone.set_input_files("#evidence", str(photo))
    fits_phone(phone)
    shot(phone, "third-party-rectification-report-phone")
    phone.click("button:has-text('提交整改报告')")
    phone.wait_for_load_state()
    assert "整改报告已提交，等待核查" in html(phone)

    # the inspector verifies 整改完成 on the tablet
    tablet.goto(f"/rectifications/{case.id}")
    tablet.check("#verdict-0")  # 整改完成
    shot(tablet, "third-party-verify-tablet")
    tablet.click("button:has-text('提交核查结论')")
    tablet.wait_for_load_state()
    assert "整改已完成，暂停的资金恢复拨付" in html(tablet)
    db.session.expire_all()
    assert db.session.get(RectificationCase, case.id).status == CaseStatus.CLOSED

    # the paused tranche is payable again
    page.goto(f"/manage/contracts/{contract.id}/payments")
    content = html(page)
    assert "项目整改期间暂停拨付" not in content and "可拨付" in content
    shot(page, "third-party-payments-released")
