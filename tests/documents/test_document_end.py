"""A document whose award stops is no longer in force, and /verify says so in words: a selected project that drops
out (放弃入选资格, or its contract not signed in time: awards' 递补) has its 入选通知书 and unsigned contract 已失效; a
terminated contract is 已终止 with the officer's public words; a promoted reserve's 未入选告知书 lapses. The file
stays authentic (一致) and the page says both; a current document still shows 现行有效, a corrected one 已被取代;
the officer's own reason (which may name people) never reaches the public page."""
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.awards.proposals.promotion import DropCause, drop_and_promote
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import format_date
from grantportal.documents import operations as ops
from grantportal.documents.models import DocumentEnd, DocumentKind, IssuedDocument
from grantportal.funding.contracts.operations import issue_contract
from grantportal.funding.models import ContractStatus
from tests import factories as f
from tests.documents.conftest import file_bytes, fresh
from tests.funding.conftest import STARTS

PRIVATE = "联系人王小明（13812345678）12月1日来电，因人员变动放弃入选。"


@pytest.fixture
def results():
    """市级 budget 130,000: two selected (50,000, 60,000) and two reserves (40,000, 70,000), every notice issued."""
    call, awards = f.final_with_reserves()
    officer = call.created_by
    for award in awards:
        f.member_of(award.application.org)
    ops.issue_notice_batch(call, officer)
    db.session.commit()  # rendered by the batch job, run after the commit
    return call, officer, awards


def _doc(award, kind):
    return db.session.scalars(sa.select(IssuedDocument).where(IssuedDocument.award_id == award.id,
                                                              IssuedDocument.kind == kind)
                              .order_by(IssuedDocument.id.desc())).first()


def _verify(client, doc):
    resp = client.get(f"/verify/{doc.verification_code}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _state(page):
    return page.split('class="document-state">', 1)[1].split("<", 1)[0]


def test_a_withdrawn_projects_notice_and_contract_lapse_with_a_public_reason(results, client):
    _call, officer, awards = results
    issue_contract(awards[1], officer, STARTS)
    db.session.commit()
    notice, contract = _doc(awards[1], DocumentKind.SELECTION_NOTICE), _doc(awards[1], DocumentKind.CONTRACT_VENTURE)
    assert "现行有效" in _verify(client, notice) and "现行有效" in _verify(client, contract)
    now = utcnow()
    drop_and_promote(awards[1], officer, DropCause.WITHDREW, PRIVATE, now)
    db.session.commit()
    day = format_date(now)
    page = _verify(client, notice)
    assert _state(page) == "已失效"
    assert f"项目单位于 {day} 放弃入选资格，由递补项目替补。" in page and "现行有效" not in page
    assert "王小明" not in page and "138" not in page and "人员变动" not in page  # the officer's words stay inside
    page = _verify(client, contract)
    assert _state(page) == "已失效" and f"项目单位于 {day} 放弃入选资格，合同未生效，由递补项目替补。" in page
    assert fresh(notice.id).end_state == DocumentEnd.LAPSED and fresh(notice.id).ended_by_id == officer.id
    assert fresh(notice.id).state_label == "已失效" and "放弃入选资格" in fresh(notice.id).end_reason
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "document.end")).all()
    assert {e.object_id for e in entries} >= {str(notice.id), str(contract.id)}
    # the file is authentic, and no longer in force: both said
    data = {"code": notice.verification_code, "file": (io.BytesIO(file_bytes(fresh(notice.id))), "入选通知书.pdf")}
    page = client.post("/verify", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "<strong>一致</strong>" in page and f"文件与平台存档一致；该文书已于 {day} 失效" in page
    # the other selected project's notice is untouched
    assert _state(_verify(client, _doc(awards[0], DocumentKind.SELECTION_NOTICE))) == "现行有效"


def test_the_promoted_reserves_rejection_notice_lapses_and_its_new_notice_is_current(results, client):
    _call, officer, awards = results
    rejection = _doc(awards[2], DocumentKind.REJECTION_NOTICE)
    assert _state(_verify(client, rejection)) == "现行有效"
    now = utcnow()
    drop_and_promote(awards[1], officer, DropCause.WITHDREW, PRIVATE, now)
    db.session.commit()
    page = _verify(client, rejection)
    assert _state(page) == "已失效" and f"项目于 {format_date(now)} 按候补顺序递补入选，入选通知书另行出具。" in page
    assert _state(_verify(client, _doc(awards[2], DocumentKind.SELECTION_NOTICE))) == "现行有效"
    # the reserve left behind keeps its notice
    assert _state(_verify(client, _doc(awards[3], DocumentKind.REJECTION_NOTICE))) == "现行有效"


def test_a_contract_not_signed_in_time_lapses_without_a_reserve(results, client):
    _call, officer, awards = results
    awards[2].amount, awards[3].amount = Decimal("90000.00"), Decimal("95000.00")  # neither fits 80,000
    db.session.commit()
    now = utcnow()
    assert drop_and_promote(awards[1], officer, DropCause.UNSIGNED, "未在通知书规定的期限内签订合同。", now) is None
    db.session.commit()
    page = _verify(client, _doc(awards[1], DocumentKind.SELECTION_NOTICE))
    assert _state(page) == "已失效"
    assert f"项目单位未在规定期限内签订合同，于 {format_date(now)} 取消入选资格。" in page and "递补" not in page


def test_a_terminated_contract_shows_terminated_with_the_public_words(results, client, auth):
    _call, officer, awards = results
    contract = issue_contract(awards[0], officer, STARTS)
    contract.status, contract.confirmed_at = ContractStatus.ACTIVE, utcnow()
    db.session.commit()
    doc, notice = _doc(awards[0], DocumentKind.CONTRACT_VENTURE), _doc(awards[0], DocumentKind.SELECTION_NOTICE)
    auth.login(officer)
    url = f"/manage/awards/{awards[0].id}/contract/terminate"
    resp = client.post(url, data={"reason": PRIVATE, "public_reason": "违约"})  # too short: nothing saved
    assert resp.status_code == 400 and "请写明向社会公开的终止说明（不少于5个字）。" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert contract.status == ContractStatus.ACTIVE and fresh(doc.id).ended_at is None
    resp = client.post(url, data={"reason": PRIVATE,
                                  "public_reason": "承接机构未按合同提供服务，整改逾期未完成；咨询电话13812345678"})
    assert resp.status_code == 303
    auth.logout()
    day = format_date(utcnow())
    page = _verify(client, doc)
    assert _state(page) == "已终止"
    assert f"合同已于 {day} 终止：承接机构未按合同提供服务，整改逾期未完成；咨询电话138****5678。" in page
    assert "王小明" not in page and "13812345678" not in page
    page = _verify(client, notice)
    assert _state(page) == "已失效" and f"项目合同已于 {day} 终止。" in page
    assert fresh(doc.id).end_state == DocumentEnd.TERMINATED


def test_a_corrected_document_still_says_superseded_and_an_ended_one_cannot_be_corrected(results, client):
    _call, officer, awards = results
    old = _doc(awards[0], DocumentKind.SELECTION_NOTICE)
    new = ops.issue_correction(old, officer, "机构名称有误，予以更正。")
    db.session.commit()
    assert _state(_verify(client, old)) == "已被取代" and _state(_verify(client, fresh(new.id))) == "现行有效"
    drop_and_promote(awards[1], officer, DropCause.WITHDREW, PRIVATE, utcnow())
    db.session.commit()
    with pytest.raises(ops.DocumentRefused, match="已失效，不能更正"):
        ops.issue_correction(_doc(awards[1], DocumentKind.SELECTION_NOTICE), officer, "机构名称有误，予以更正。")
