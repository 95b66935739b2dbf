"""A citizen on a 375 px phone follows the public site (issue 12): home → 公示与结果 → a call's results → the
organization's public record → its project's page with payments; then checks a notice at 文书核验 by typing its
code loosely and by uploading the file. Screenshots go to tests/screenshots/citizen-*.png."""
from datetime import timedelta
from decimal import Decimal

import pytest

from grantportal.core.db import db
from grantportal.core.storage import get_storage
from grantportal.documents import operations as documents
from grantportal.documents.models import DocumentKind, IssuedDocument
from grantportal.funding.payments.operations import record_payment
from tests import factories as f
from tests.browser.util import fits_phone, shot
from tests.funding.conftest import TODAY, active_contract, evaluate

pytestmark = pytest.mark.browser


def test_a_citizen_follows_results_to_an_organization_and_its_project_and_verifies_a_notice(
        app, phone, tmp_path):
    app.config.update(JOBS_SYNC=True, PUBLIC_BASE_URL="https://gp.example.cn")
    call, (award, _other) = f.final_awards()
    officer = call.created_by
    contract = active_contract(award, officer)
    record_payment(contract, contract.tranches[0], officer, TODAY - timedelta(days=3), Decimal("25000"), "FK-1")
    db.session.commit()
    evaluate(contract, officer, "midterm", "excellent")
    doc = documents.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    doc = db.session.get(IssuedDocument, doc.id)
    org, title = award.application.org, award.application.title

    phone.goto("/")
    fits_phone(phone)
    shot(phone, "citizen-1-home")
    phone.click("nav.nav >> text=公示与结果")
    assert call.title in phone.inner_text("main")
    fits_phone(phone)
    shot(phone, "citizen-2-results-list")

    phone.click(f"main a:has-text('{call.title}')")
    assert "评审结果公告（最终）" in phone.inner_text("main")
    fits_phone(phone)
    phone.click(f"main a:has-text('{org.name}')")
    main = phone.inner_text("main")
    assert "承接项目" in main and title in main and "中期评估：优秀" in main and "¥25,000.00" in main
    assert org.contact_phone not in main
    fits_phone(phone)
    shot(phone, "citizen-3-organization")

    phone.click(f"main #projects a:has-text('{title}')")
    main = phone.inner_text("main")
    assert "资金拨付" in main and "¥25,000.00" in main and org.name in main
    fits_phone(phone)
    shot(phone, "citizen-4-project")

    phone.click("nav.nav >> text=文书核验")
    code = doc.verification_code
    phone.fill("#code", f"{code[:4].lower()}-{code[4:8].lower()} {code[8:]}")
    phone.click("main button:has-text('核验')")
    assert doc.number in phone.inner_text("main") and "现行有效" in phone.inner_text("main")

    issued = tmp_path / "入选通知书.pdf"
    issued.write_bytes(get_storage().read(doc.file.storage_key))
    phone.goto("/verify")
    phone.fill("#code", code)
    phone.set_input_files("#file", str(issued))
    phone.click("main button:has-text('核验')")
    assert "一致" in phone.inner_text(".verify-comparison") and "不一致" not in phone.inner_text(".verify-comparison")
    fits_phone(phone)
    shot(phone, "citizen-5-verified")

    changed = tmp_path / "改过的通知书.pdf"
    changed.write_bytes(issued.read_bytes() + b"\n%% edited")
    phone.goto("/verify")
    phone.fill("#code", code)
    phone.set_input_files("#file", str(changed))
    phone.click("main button:has-text('核验')")
    assert "不一致" in phone.inner_text(".verify-comparison")
