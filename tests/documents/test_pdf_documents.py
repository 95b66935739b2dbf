"""Issued PDFs: a CJK font embedded, the Chinese text and capitals round-trip, page numbers, no empty
boxes, escaping of user text, the QR/verification line."""
import hashlib

from grantportal.awards.models import FinalStatus
from grantportal.core.db import db
from grantportal.core.pdf import missing_glyphs, weasyprint_warnings
from grantportal.documents import operations as ops
from grantportal.documents.models import DocumentKind, DocumentStatus
from tests import factories as f
from tests.documents.conftest import file_bytes, fresh, issued_contract, poppler


def test_a_contract_pdf_embeds_a_cjk_font_and_reads_back_in_chinese(app, final, tmp_path):
    call, (award, _), officer = final
    app.config.update(BUREAU_USCC="11442000076543212P", BUREAU_LEGAL_REP="王建国")  # GRANTPORTAL_BUREAU_*
    with weasyprint_warnings() as warnings:
        contract, doc = issued_contract(award, officer)
    assert missing_glyphs(warnings) == []
    assert doc.status == DocumentStatus.ISSUED and doc.kind == DocumentKind.CONTRACT_VENTURE
    data = file_bytes(doc)
    assert doc.sha256 == hashlib.sha256(data).hexdigest() == doc.file.sha256
    fonts = poppler("pdffonts", data, tmp_path)
    assert "NotoSerifCJK" in fonts.replace("-", "") or "Noto-Serif-CJK" in fonts
    text = poppler("pdftotext", data, tmp_path)
    flat = "".join(text.split())
    org = award.application.org
    assert "".join(org.name.split()) in flat
    assert org.uscc in flat and org.legal_rep in flat
    assert "11442000076543212P" in flat and "王建国" in flat  # 甲方: the bureau, from the configuration
    assert "".join(award.application.title.split()) in flat
    assert "人民币伍万元整" in flat and "¥50,000.00" in flat
    assert "人民币贰万伍仟元整" in flat  # the first tranche, 50%
    assert doc.number in flat and doc.number == f"{call.code}-{call.year}-HT0001"
    assert "公益创投项目资助协议" in flat and "协议签订后" in flat and "三年内" in flat
    pages = text.count("\f")
    assert f"第1页共{pages}页" in flat and pages >= 2
    assert f"https://gp.example.cn/verify/{doc.verification_code}" in flat


def test_a_purchase_call_issues_a_government_purchase_contract(tmp_path):
    from grantportal.calls.models import CallKind

    # 公开招标 by default: at least three valid responses before results (calls.methods)
    call, (award, *_) = f.final_awards([dict(total=90, requested="50000"), dict(total=85, requested="60000"),
                                        dict(total=80, requested="30000")], kind=CallKind.PURCHASE)
    contract, doc = issued_contract(award, call.created_by)
    assert doc.kind == DocumentKind.CONTRACT_PURCHASE
    flat = "".join(poppler("pdftotext", file_bytes(doc), tmp_path).split())
    assert "政府购买服务合同" in flat and "承接主体" in flat


def test_user_text_prints_literally_in_the_pdf(final, tmp_path):
    call, (award, _), officer = final
    org = award.application.org
    org.name = '<b>&"测试</b>社工中心'
    award.application.title = "<script>alert(1)</script>长者关爱"
    db.session.commit()
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    doc = fresh(doc.id)
    html = ops.render.document_html(doc)
    assert '&lt;b&gt;&amp;&#34;测试' in html and "<script>" not in html
    flat = "".join(poppler("pdftotext", file_bytes(doc), tmp_path).split())
    assert '<b>&"测试</b>社工中心' in flat and "<script>alert(1)</script>长者关爱" in flat


def test_a_rejection_notice_goes_to_a_project_not_selected(final, tmp_path):
    call, (award, other), officer = final
    other.final_status, other.final_reason = FinalStatus.NOT_SELECTED, "综合得分未达入选线。"
    db.session.commit()
    doc = ops.issue_document(other, DocumentKind.REJECTION_NOTICE, officer)
    db.session.commit()
    doc = fresh(doc.id)
    assert doc.facts["amount"] is None
    flat = "".join(poppler("pdftotext", file_bytes(doc), tmp_path).split())
    assert "未入选告知书" in flat and "综合得分未达入选线" in flat
