"""What issued documents say (issue 14, "documents a bureau would sign"): every clause and party field of a
contract, 协议 vs 合同 wording, nested quotation marks, the notices' issuer, 文号, seal, contact and signing
arrangements, signature blocks that stay aligned for long names, and the refusals (no bank account, the
bureau's identity incomplete, a character no font has)."""
import os
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest

from grantportal.calls.models import CallKind, FundingSource, FundingSourceKind
from grantportal.core.db import db
from grantportal.core.timeutil import local_today
from grantportal.core.wording import cn_number, quoted
from grantportal.documents import operations as ops
from grantportal.documents.models import DocumentKind, DocumentStatus, IssuedDocument
from grantportal.documents.render import cn_date
from grantportal.funding.contracts.operations import NO_BANK_ACCOUNT, issue_contract, prepare_contract
from grantportal.funding.models import Contract
from grantportal.funding.operations import FundingRefused
from grantportal.orgs.models import Organization
from tests import factories as f
from tests.documents.conftest import file_bytes, fresh, issued_contract, poppler

BUREAU = dict(BUREAU_NAME="中山市民政局", BUREAU_USCC="11442000007252497B", BUREAU_LEGAL_REP="陈志明",
              BUREAU_ADDRESS="广东省中山市东区松苑路1号", BUREAU_CONTACT_NAME="李科长",
              BUREAU_CONTACT_PHONE="0760-88312345", BUREAU_BANK_NAME="中国银行中山分行",
              BUREAU_BANK_ACCOUNT="660012345678", BUREAU_BANK_ACCOUNT_NAME="中山市民政局",
              SIGNING_PLACE="中山市民政局三楼社会组织管理科")
CLAUSES = ("项目基本情况", "服务内容、对象、地点、数量和质量标准", "期限", "金额与资金来源", "绩效目标与评估方式",
           "资金拨付", "报告义务", "甲方权利义务", "乙方权利义务", "禁止转包", "的变更和解除", "不可抗力", "违约责任",
           "争议解决", "其他")


@pytest.fixture(autouse=True)
def bureau(app):
    app.config.update(BUREAU)


def flat(doc, tmp_path):
    return "".join(poppler("pdftotext", file_bytes(doc), tmp_path).split())


def _fill_application(award):
    app = award.application
    app.summary = "为社区独居长者提供上门探访、健康监测和心理慰藉服务"
    app.beneficiaries = "石岐街道60岁以上独居、空巢长者"
    app.area_served = "石岐街道悦来社区、民生社区"
    app.target_count = 120
    app.objectives = "上门探访不少于960人次\n服务对象满意度不低于90%"


def _purchase_award():
    call, (award, *_) = f.final_awards([dict(total=90, requested="50000"), dict(total=85, requested="60000"),
                                        dict(total=80, requested="30000")], kind=CallKind.PURCHASE)
    return call, award


def test_a_purchase_contract_prints_every_clause_and_both_parties_in_full(tmp_path):
    call, award = _purchase_award()
    call.funding_sources = [FundingSource(kind=FundingSourceKind.LOTTERY, amount=Decimal("100000.00"), position=0),
                            FundingSource(kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("50000.00"), position=1)]
    _fill_application(award)
    db.session.commit()
    _contract, doc = issued_contract(award, call.created_by)
    text = flat(doc, tmp_path)
    for n, clause in enumerate(CLAUSES, 1):
        assert f"第{cn_number(n)}条" in text and clause in text, (n, clause)
    assert "第十五条其他" in text and "第十六条" not in text
    org = award.application.org
    for value in (*[v for k, v in BUREAU.items() if k != "SIGNING_PLACE"], org.uscc, org.legal_rep, org.address,
                  org.contact_name, org.contact_phone, org.bank_name, org.bank_account):
        assert "".join(value.split()) in text, value
    for label in ("开户银行", "账号", "户名", "住所", "联系人及电话", "法定代表人"):
        assert text.count(label) >= 2, label  # both parties
    for value in ("上门探访、健康监测", "独居、空巢长者", "悦来社区、民生社区", "不少于120人",
                  "服务对象满意度不低于90%"):
        assert value in text, value
    assert "资金来源：福彩公益金、专项资金" in text
    assert "合规票据后15个工作日内" in text and "发票或公益事业捐赠统一票据" in text
    assert "不得将其转包" in text and "违约金" in text
    assert "支付合同总金额10%的违约金" in text and "人民法院提起诉讼" in text
    assert "（以下无正文）" in text and text.index("（以下无正文）") < text.index("甲方（盖章）")
    assert "第一期" in text and "第1期" not in text  # Chinese numerals for tranches
    assert "协议" not in text  # a 政府购买服务合同 says 合同 throughout


def test_a_venture_agreement_says_xieyi_throughout(final, tmp_path):
    call, (award, _), officer = final
    _contract, doc = issued_contract(award, officer)
    text = flat(doc, tmp_path)
    assert "公益创投项目资助协议" in text and "订立本协议" in text and "协议签订后" in text
    assert "合同" not in text
    assert "支付资助总金额10%的违约金" in text


def test_nested_quotation_marks_and_no_doubled_words(final, tmp_path):
    call, (award, _), officer = final
    call.edition, call.name = "第九届", "“博爱100”公益创投活动"
    award.application.title = "长者关爱项目"
    db.session.commit()
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    text = flat(fresh(doc.id), tmp_path)
    assert "在“第九届‘博爱100’公益创投活动”中入选" in text
    assert "“长者关爱项目”（申报编号" in text and "项目项目" not in text
    assert quoted('第九届"博爱100"公益创投活动') == "“第九届‘博爱100’公益创投活动”"
    assert [cn_number(n) for n in (1, 10, 12, 20, 99)] == ["一", "十", "十二", "二十", "九十九"]
    assert cn_date(local_today()) in text and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)


def test_a_contract_for_an_organization_without_a_bank_account_is_refused(final):
    call, (award, _), officer = final
    org = award.application.org
    org.bank_account = ""
    db.session.commit()
    with pytest.raises(FundingRefused) as refused:
        issue_contract(award, officer, local_today())
    db.session.rollback()
    assert refused.value.message == NO_BANK_ACCOUNT and "银行账户" in NO_BANK_ACCOUNT
    with pytest.raises(FundingRefused):
        prepare_contract(award, officer, local_today())
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Contract.id))) == 0
    assert db.session.scalar(db.select(db.func.count(IssuedDocument.id))) == 0


def test_the_contract_page_says_why_and_saves_nothing(final, client, auth):
    call, (award, _), officer = final
    award.application.org.bank_name = ""
    db.session.commit()
    auth.login(officer)
    page = client.get(f"/manage/awards/{award.id}/contract").get_data(as_text=True)
    assert "尚未填写银行账户" in unescape(page)
    resp = client.post(f"/manage/awards/{award.id}/contract", data={"starts_on": "2026-07-01", "deliverables": "探访"})
    assert resp.status_code == 409 and "尚未填写银行账户" in unescape(resp.get_data(as_text=True))
    assert db.session.scalar(db.select(db.func.count(Contract.id))) == 0


def test_the_bank_account_is_kept_in_the_profile_checked_and_never_public(client, auth):
    org = f.OrganizationFactory(bank_name="", bank_account="", bank_account_name="")
    owner = f.member_of(org)
    auth.login(owner)
    data = {"contact_name": "新联系人", "contact_phone": "0760-88886666", "address": "广东省中山市坦洲镇界狮南路1号",
            "charter_scope": "社会服务", "service_fields": ["其他"], "district": "坦洲镇"}
    body = unescape(client.post("/org/edit", data={**data, "bank_name": "中国工商银行中山分行",
                                                   "bank_account": "12ab"}).get_data(as_text=True))
    assert "银行账号应为8至30位数字" in body and "请填写账户名称" in body
    assert db.session.get(Organization, org.id).bank_name == ""
    resp = client.post("/org/edit", data={**data, "bank_name": "中国工商银行中山分行",
                                          "bank_account": "2011 0000 1234 5678", "bank_account_name": org.name})
    assert resp.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Organization, org.id)
    assert saved.bank_account == "2011000012345678" and saved.has_bank_account
    auth.logout()
    public = client.get(f"/orgs/{org.id}").get_data(as_text=True)
    assert "2011000012345678" not in public and "5678" not in public and "开户银行" not in public


def test_a_selection_notice_names_its_issuer_number_contact_and_signing(final, tmp_path):
    call, (award, _), officer = final
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    doc = fresh(doc.id)
    text = flat(doc, tmp_path)
    assert text.startswith("中山市民政局") or "中山市民政局文号" in text
    assert f"文号：{doc.number}" in text
    assert "（联系人：李科长，联系电话：0760-88312345）" in text
    deadline = cn_date(local_today() + timedelta(days=15))
    assert f"于{deadline}前到中山市民政局三楼社会组织管理科与我局签订公益创投项目资助协议" in text
    assert "签约时请携带：法定代表人身份证明书或授权委托书" in text and "机构公章" in text
    # the seal's place (印章) is drawn over the date line
    words = _words(file_bytes(doc), tmp_path, page=1)
    seal = next(w for w in words if "印章" in w["text"])
    date_line = next(w for w in words if cn_date(local_today()) in w["text"])
    assert seal["yMin"] - 60 < date_line["yMin"] < seal["yMax"] + 60  # within the 40 mm box around the seal mark


def test_issuing_is_refused_while_the_bureau_identity_is_incomplete(app, final):
    call, (award, _), officer = final
    app.config.update(BUREAU_NAME="市民政局")
    with pytest.raises(ops.DocumentRefused) as refused:
        ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    assert "机关全称" in refused.value.message and refused.value.status == 409
    app.config.update(BUREAU_NAME="中山市民政局", BUREAU_USCC="", BUREAU_LEGAL_REP="")
    with pytest.raises(ops.DocumentRefused) as refused:
        ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    assert "统一社会信用代码" in refused.value.message and "法定代表人" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(IssuedDocument.id))) == 0


def test_the_documents_page_says_why_issuing_is_refused(app, final, client, auth):
    call, (award, _), officer = final
    app.config.update(BUREAU_USCC="")
    auth.login(officer)
    page = unescape(client.get(f"/manage/calls/{call.id}/documents").get_data(as_text=True))
    assert "出具文书的机关信息不完整" in page


def test_a_character_no_font_has_stops_issuing_with_a_clear_message(final):
    call, (award, _), officer = final
    award.application.org.name = "中山市\ue000社工服务中心"  # a private-use character: no font has it
    db.session.commit()
    doc = ops.issue_document(award, DocumentKind.SELECTION_NOTICE, officer)
    db.session.commit()
    doc = fresh(doc.id)
    assert doc.status == DocumentStatus.FAILED and doc.file is None
    assert doc.error == ops.MISSING_GLYPH and "空白方框" in doc.error


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _words(data, tmp_path, page):
    out = poppler("pdftotext", data, tmp_path, "-bbox", "-f", str(page), "-l", str(page))
    return [{"text": unescape(m.group(5)), "xMin": float(m.group(1)), "yMin": float(m.group(2)),
             "xMax": float(m.group(3)), "yMax": float(m.group(4))}
            for m in WORD.finditer(out)]


def _signature_blocks(doc, tmp_path):
    """The last page's signature words: {label: (xMin, yMin)} for each block's lines, and the page as PNG."""
    data = file_bytes(doc)
    last = int(re.search(r"Pages:\s+(\d+)", poppler("pdfinfo", data, tmp_path)).group(1))
    words = _words(data, tmp_path, last)
    png = tmp_path / f"last-{doc.id}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(last), "-l", str(last), "-singlefile",  # noqa: S603, S607
                    str(tmp_path / "doc.pdf"), str(png)], check=True)
    assert (tmp_path / f"last-{doc.id}.png").stat().st_size > 1000
    if target := os.environ.get("GP_KEEP_CONTRACT_PNG"):  # to look at the page: GP_KEEP_CONTRACT_PNG=/tmp/page
        shutil.copy(tmp_path / f"last-{doc.id}.png", f"{target}-{doc.id}.png")

    def at(prefix):
        return sorted((w["xMin"], w["yMin"]) for w in words if w["text"].startswith(prefix))

    return {"甲方": at("甲方（盖章）"), "乙方": at("乙方（盖章）"), "签字": at("法定代表人或授权代表"),
            "日期": at("日期：")}


def test_long_names_keep_the_signature_blocks_aligned(tmp_path):
    call, (short, long_, *_) = f.final_awards([dict(total=90, requested="50000"), dict(total=85, requested="60000")])
    long_.application.org.name = ("中山市石岐区悦来社区居家养老与长者关爱社会工作服务中心（民办非企业单位）"
                                  "第二分中心附属志愿服务队")
    db.session.commit()
    blocks = {}
    for award in (short, long_):
        _contract, doc = issued_contract(award, call.created_by)
        blocks[award.id] = _signature_blocks(doc, tmp_path)
    a, b = blocks[short.id], blocks[long_.id]
    for blk in (a, b):
        assert len(blk["甲方"]) == len(blk["乙方"]) == 1 and len(blk["签字"]) == len(blk["日期"]) == 2
        (x_a, y_a), (x_b, y_b) = blk["甲方"][0], blk["乙方"][0]
        assert x_b - x_a > 150 and abs(y_a - y_b) < 1  # two columns, side by side
        assert abs(blk["签字"][0][1] - blk["签字"][1][1]) < 1 and abs(blk["日期"][0][1] - blk["日期"][1][1]) < 1
        assert abs(blk["签字"][1][0] - x_b) < 1 and abs(blk["日期"][1][0] - x_b) < 1  # 乙方's lines start together
    # a long name wraps inside its own column: the columns stay where they are
    assert abs(a["乙方"][0][0] - b["乙方"][0][0]) < 1 and abs(a["甲方"][0][0] - b["甲方"][0][0]) < 1
    assert abs(a["日期"][1][0] - b["日期"][1][0]) < 1
    assert b["日期"][0][1] > a["日期"][0][1]  # the long name took more lines, both dates moved down together
