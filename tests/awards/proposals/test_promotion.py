"""递补 after the final result (awards/proposals/promotion.py): a selected project drops out (放弃入选, or its
contract is ended before signing) and the level's first reserve that fits moves up — a new 入选通知书 for it, the
organizations told, a dated 递补 note on the results page, audited; a contract in force refuses; bad input re-renders
with nothing saved."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.awards.models import AwardStatus, FinalStatus, ResultsRevision, RevisionKind
from grantportal.awards.proposals.promotion import DropCause, drop_and_promote
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.notices import Notice
from grantportal.documents.models import DocumentKind, IssuedDocument
from grantportal.documents.render import document_html
from grantportal.funding.contracts.operations import issue_contract, prepare_contract
from grantportal.funding.models import ContractStatus
from tests import factories as f
from tests.funding.conftest import STARTS

REASON = "机构于12月1日书面声明因人员变动放弃入选。"


@pytest.fixture
def results():
    """市级 budget 130,000: 50,000 (1st) and 60,000 (2nd) selected; 40,000 (3rd) and 70,000 (4th) reserves 1 and 2."""
    call, awards = f.final_with_reserves()
    officer = call.created_by
    assert [a.final_status for a in awards] == [FinalStatus.SELECTED, FinalStatus.SELECTED, FinalStatus.RESERVE,
                                                FinalStatus.RESERVE]
    assert [a.reserve_position for a in awards[2:]] == [1, 2]
    members = [f.member_of(a.application.org) for a in awards]
    return call, officer, awards, members


def _notices(user):
    return db.session.scalars(sa.select(Notice.title).where(Notice.user_id == user.id)).all()


def _bodies(user):
    return db.session.scalars(sa.select(Notice.body).where(Notice.user_id == user.id)).all()


def test_the_first_reserve_moves_up_with_a_new_notice_and_a_dated_note(results, client):
    call, officer, awards, members = results
    awards[1].application.title = "“时间银行”互助养老项目"  # its own quotation marks: nested as ‘’ when quoted
    promoted = drop_and_promote(awards[1], officer, DropCause.WITHDREW, REASON, utcnow())
    db.session.commit()
    assert promoted == awards[2]  # the first reserve, though the second would fit the 80,000 left too
    dropped, first, second = awards[1], awards[2], awards[3]
    assert (dropped.status, dropped.final_status) == (AwardStatus.CANCELLED, FinalStatus.NOT_SELECTED)
    assert "承接机构放弃入选" in dropped.final_reason and REASON in dropped.final_reason
    assert (first.status, first.final_status, first.reserve_position) == \
        (AwardStatus.SELECTED, FinalStatus.SELECTED, None)
    assert "递补入选" in first.final_reason
    assert (second.final_status, second.reserve_position) == (FinalStatus.RESERVE, 1)  # numbered again
    # a new 入选通知书 for the promoted project
    notice = db.session.scalars(sa.select(IssuedDocument).where(
        IssuedDocument.award_id == first.id, IssuedDocument.kind == DocumentKind.SELECTION_NOTICE)).one()
    assert notice.number.startswith(f"{call.code}-{call.year}-TZ")
    # it says the project was a reserve and moved up (the first 入选通知书s say it was selected)
    text = "".join(document_html(notice).split())
    assert "列为市级候补项目" in text and "递补入选市级项目" in text, text
    # both organizations told; the others not
    assert any("递补入选" in t for t in _notices(members[2]))
    assert any("入选资格已取消" in t for t in _notices(members[1]))
    assert not any("递补" in t for t in _notices(members[3]))
    # the results page: a dated 递补 note and the promoted project among the selected
    revision = db.session.scalars(sa.select(ResultsRevision).where(ResultsRevision.kind == RevisionKind.PROMOTED)).one()
    assert first.application.title in revision.summary and "入选项目“‘时间银行’互助养老项目”" in revision.summary
    assert any("“‘时间银行’互助养老项目”已登记为" in body for body in _bodies(members[1]))
    page = client.get(f"/calls/{call.id}/results").get_data(as_text=True)
    assert "递补" in page and "按候补顺序递补入选" in page
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "award.promote")).all()
    changed = " ".join(f"{e.before} {e.after}" for e in entries)
    assert "cancelled" in changed and "selected" in changed  # each award's before and after


def test_an_unsigned_contract_ends_with_the_drop(results):
    _call, officer, awards, _members = results
    contract = issue_contract(awards[1], officer, STARTS)
    db.session.commit()
    assert contract.status == ContractStatus.ISSUED
    drop_and_promote(awards[1], officer, DropCause.UNSIGNED, "未在通知书规定的期限内签订合同。", utcnow())
    db.session.commit()
    assert contract.status == ContractStatus.TERMINATED
    assert awards[2].final_status == FinalStatus.SELECTED


def test_a_contract_in_force_refuses_and_nothing_changes(results):
    _call, officer, awards, _members = results
    contract = prepare_contract(awards[1], officer, STARTS)
    contract.status, contract.confirmed_at = ContractStatus.ACTIVE, utcnow()
    db.session.commit()
    with pytest.raises(AwardRefused, match="合同已签订生效"):
        drop_and_promote(awards[1], officer, DropCause.WITHDREW, REASON, utcnow())
    db.session.rollback()
    assert awards[1].final_status == FinalStatus.SELECTED and awards[2].final_status == FinalStatus.RESERVE


def test_no_reserve_that_fits_records_the_drop_and_says_so(results):
    _call, officer, awards, _members = results
    awards[2].amount, awards[3].amount = Decimal("90000.00"), Decimal("95000.00")  # neither fits 80,000
    db.session.commit()
    assert drop_and_promote(awards[1], officer, DropCause.WITHDREW, REASON, utcnow()) is None
    db.session.commit()
    assert awards[1].final_status == FinalStatus.NOT_SELECTED
    assert [a.final_status for a in awards[2:]] == [FinalStatus.RESERVE, FinalStatus.RESERVE]
    revision = db.session.scalars(sa.select(ResultsRevision).where(ResultsRevision.kind == RevisionKind.PROMOTED)).one()
    assert "本次未递补" in revision.summary


def test_the_officer_promotes_from_the_page_and_bad_input_saves_nothing(results, client, auth):
    call, officer, awards, _members = results
    auth.login(officer)
    page = client.get(f"/manage/calls/{call.id}/proposal?level=city").get_data(as_text=True)
    assert f"/manage/awards/{awards[1].id}/promote" in page
    page = client.get(f"/manage/awards/{awards[1].id}/promote").get_data(as_text=True)
    assert "候补第1位" in page and awards[2].application.title in page
    resp = client.post(f"/manage/awards/{awards[1].id}/promote", data={"cause": "withdrew", "reason": ""})
    assert resp.status_code == 400 and "请写明原因" in resp.get_data(as_text=True)
    resp = client.post(f"/manage/awards/{awards[1].id}/promote", data={"cause": "withdrew", "reason": "放弃"})
    assert resp.status_code == 400 and "不少于5个字" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert awards[1].final_status == FinalStatus.SELECTED
    assert not db.session.scalars(sa.select(ResultsRevision).where(ResultsRevision.kind == RevisionKind.PROMOTED)).all()
    resp = client.post(f"/manage/awards/{awards[1].id}/promote", data={"cause": "withdrew", "reason": REASON})
    assert resp.status_code == 303
    db.session.expire_all()
    assert awards[2].final_status == FinalStatus.SELECTED
    # once dropped, the page says why it cannot be done again
    page = client.get(f"/manage/awards/{awards[1].id}/promote").get_data(as_text=True)
    assert "只有最终入选的项目" in page and "登记并递补" not in page
