"""异议 during 公示, through the operations: who may file what and when, and what a decision does to the
results (an upheld objection cancels the award and moves a reserve up), with the public record and the notices."""
from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from grantportal.awards.models import AwardStatus, ObjectionStatus, ResultsRevision, RevisionKind
from grantportal.awards.objections.operations import MAX_FILES, decide, file_objection, filing_problem
from grantportal.awards.proposals.workflow import AwardRefused
from grantportal.calls.models import Level
from grantportal.core.db import db
from grantportal.core.notices import Notice
from tests import factories as f
from tests.awards.conftest import NOW, PUBLISHED_ENDS, awards_by_app, proposal_world, reload, selected_totals
from tests.permissions.world import TINY_PDF

REASON = "该项目申报的服务对象与本社区另一已资助项目完全重复，请核实。"
LATER = NOW + timedelta(days=2)


@pytest.fixture
def objector():
    return f.member_of(f.OrganizationFactory(), name="李建国")


def refused(fn, *args, **kw):
    with pytest.raises(AwardRefused) as info:
        fn(*args, **kw)
    db.session.rollback()
    return info.value


def notices(user):
    return db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)).all()


def changed(proposal):
    return db.session.scalars(sa.select(ResultsRevision).where(
        ResultsRevision.proposal_id == proposal.id, ResultsRevision.kind == RevisionKind.CHANGED)).all()


def objection_against(award, user, when=NOW + timedelta(days=1)):
    objection = file_objection(award, user, when, "李建国", "13800001111", REASON)
    db.session.commit()
    return objection


# --- filing ---------------------------------------------------------------------------------------

def test_an_objection_is_filed_in_writing_with_evidence_and_the_officer_is_told(officer, objector):
    w = proposal_world(officer)
    pdf = FileStorage(BytesIO(TINY_PDF), filename="重复资助证明.pdf", content_type="application/pdf")
    objection = file_objection(w.s1, objector, NOW + timedelta(days=1), " 李建国 ", "13800001111", REASON,
                               uploads=[pdf], link="/objections/1")
    db.session.commit()
    objection = reload(objection)
    assert (objection.status, objection.real_name, objection.contact, objection.filed_by_id) == (
        ObjectionStatus.RECEIVED, "李建国", "13800001111", objector.id)
    assert [x.file.original_name for x in objection.files] == ["重复资助证明.pdf"]
    (notice,) = notices(officer)
    assert notice.title == f"{w.call.title}公示收到异议" and "长者幸福食堂" in notice.body
    assert notice.link == "/objections/1"
    assert "李建国" not in notice.body and "13800001111" not in notice.body


@pytest.mark.parametrize("real_name, contact, reason, field, message", [
    ("", "13800001111", REASON, "real_name", "请填写真实姓名。异议须实名提出，姓名不会公开。"),
    ("李建国", "  ", REASON, "contact", "请填写联系方式，以便告知处理结果。"),
    ("李建国", "13800001111", "项目有问题，请查", "reason", "请写明异议的事实和理由（不少于10个字）。"),
])
def test_an_objection_needs_a_real_name_a_contact_and_reasons(officer, objector, real_name, contact, reason, field,
                                                              message):
    w = proposal_world(officer)
    e = refused(file_objection, w.s1, objector, NOW + timedelta(days=1), real_name, contact, reason)
    assert (e.field, e.status, e.message) == (field, 400, message)
    assert reload(w.s1).status == AwardStatus.SELECTED and notices(officer) == []


def test_at_most_five_evidence_files(officer, objector):
    w = proposal_world(officer)
    files = [FileStorage(BytesIO(TINY_PDF), filename=f"证明{i}.pdf") for i in range(MAX_FILES + 1)]
    e = refused(file_objection, w.s1, objector, NOW + timedelta(days=1), "李建国", "13800001111", REASON, files)
    assert (e.field, e.message) == ("evidence", "证明材料最多上传5个文件。")


def test_no_objection_after_the_period_or_against_a_project_not_on_the_list(officer, objector):
    w = proposal_world(officer)
    assert filing_problem(w.s1, PUBLISHED_ENDS - timedelta(minutes=1)) is None
    e = refused(file_objection, w.s1, objector, PUBLISHED_ENDS, "李建国", "13800001111", REASON)
    assert e.message == "公示期已于2026年7月22日 17:00结束，不再受理异议。"
    e = refused(file_objection, w.n, objector, NOW + timedelta(days=1), "李建国", "13800001111", REASON)
    assert e.message == "只能对公示名单中的项目提出异议。"
    assert filing_problem(w.r1, NOW + timedelta(days=1)) is None  # a reserve is on the public list

    draft = proposal_world(officer, publish=False)
    assert refused(file_objection, draft.s1, objector, NOW, "李建国", "13800001111", REASON).message == (
        "该结果不在公示期内，不受理异议。")


# --- deciding -------------------------------------------------------------------------------------

def test_upheld_objection_cancels_the_award_and_moves_the_first_reserve_up(officer, objector):
    w = proposal_world(officer)
    objection = objection_against(w.s1, objector)
    decide(objection, officer, LATER, True, "经实地核查，服务对象名单与另一项目重复80%。",
           "经核实，异议成立，取消该项目入选资格。")
    db.session.commit()
    objection = reload(objection)
    assert (objection.status, objection.decided_at, objection.decided_by_id) == (
        ObjectionStatus.UPHELD, LATER, officer.id)
    awards = awards_by_app(w.proposal)
    s1, r1, r2 = awards[w.apps[0].id], awards[w.apps[2].id], awards[w.apps[3].id]
    assert s1.status == AwardStatus.CANCELLED and s1.explanation[-1] == "2026年7月17日 10:00 异议成立，取消入选资格。"
    # 6万 freed, 1万 was left: 残障人士就业支持 (reserve 1, 5万) fits
    assert (r1.status, r1.amount, r1.reserve_position) == (AwardStatus.SELECTED, 50000, None)
    assert r1.explanation[-1] == "2026年7月17日 10:00 因“长者幸福食堂”被取消入选资格，递补入选，拟资助5万元。"
    assert (r2.status, r2.reserve_position) == (AwardStatus.RESERVE, 1)  # numbered again: now the first reserve
    assert r2.explanation[-1] == "2026年7月17日 10:00 前序候补项目递补入选，候补顺序调整为第1位。"
    assert selected_totals(w.proposal, Level.CITY)[0] == 80000
    (revision,) = changed(w.proposal)
    org_s1, org_r1 = w.apps[0].org.name, w.apps[2].org.name
    assert revision.summary == (f"异议成立：取消“长者幸福食堂”（{org_s1}）的入选资格。市级候补项目“残障人士就业支持”"
                                f"（{org_r1}）递补入选，拟资助5万元。")
    assert revision.created_at == LATER
    assert [r["title"] for r in revision.rows] == ["青少年四点半课堂", "残障人士就业支持", "社区邻里互助"]
    text = revision.summary + str(revision.rows)
    assert "李建国" not in text and "13800001111" not in text  # the objector stays confidential
    (notice,) = notices(objector)
    assert notice.title == "您提出的异议已处理"
    assert notice.body == "您对“长者幸福食堂”提出的异议处理结果：异议成立。经核实，异议成立，取消该项目入选资格。"


def test_the_first_reserve_that_fits_moves_up_not_simply_the_first(officer, objector):
    w = proposal_world(officer)
    decide(objection_against(w.s2, objector), officer, LATER, True, "核实属实。", "异议成立，取消入选资格。")
    db.session.commit()
    awards = awards_by_app(w.proposal)
    r1, r2 = awards[w.apps[2].id], awards[w.apps[3].id]
    # 3万 freed, 4万 left: reserve 1 needs 5万, reserve 2 (3.5万) fits
    assert (r1.status, r1.reserve_position) == (AwardStatus.RESERVE, 1)
    assert (r2.status, r2.amount) == (AwardStatus.SELECTED, 35000)
    assert "候补项目“社区邻里互助”" in changed(w.proposal)[0].summary
    assert selected_totals(w.proposal, Level.CITY)[0] == 95000


def test_without_promotion_an_upheld_objection_only_cancels(officer, objector):
    w = proposal_world(officer, promote_reserve=False)
    decide(objection_against(w.s1, objector), officer, LATER, True, "核实属实。", "异议成立，取消入选资格。")
    db.session.commit()
    awards = awards_by_app(w.proposal)
    assert awards[w.apps[0].id].status == AwardStatus.CANCELLED
    assert [awards[a.id].status for a in w.apps[2:4]] == [AwardStatus.RESERVE, AwardStatus.RESERVE]
    (revision,) = changed(w.proposal)
    assert revision.summary == f"异议成立：取消“长者幸福食堂”（{w.apps[0].org.name}）的入选资格。"
    assert "递补" not in revision.summary


def test_an_upheld_objection_against_a_reserve_cancels_it_without_moving_anyone(officer, objector):
    w = proposal_world(officer)
    decide(objection_against(w.r1, objector), officer, LATER, True, "核实属实。", "异议成立，取消候补资格。")
    db.session.commit()
    awards = awards_by_app(w.proposal)
    assert [awards[a.id].status for a in w.apps[:4]] == [
        AwardStatus.SELECTED, AwardStatus.SELECTED, AwardStatus.CANCELLED, AwardStatus.RESERVE]
    assert "残障人士就业支持" in changed(w.proposal)[0].summary


def test_a_rejected_objection_keeps_the_award_and_tells_the_objector(officer, objector):
    w = proposal_world(officer)
    objection = objection_against(w.s1, objector)
    decide(objection, officer, LATER, False, "服务对象不同社区，不存在重复。",
           "经核实，两项目服务对象不同，异议不成立。")
    db.session.commit()
    assert reload(objection).status == ObjectionStatus.REJECTED
    assert (reload(w.s1).status, reload(w.s1).amount) == (AwardStatus.SELECTED, 60000)
    assert changed(w.proposal) == []
    assert notices(objector)[-1].body == ("您对“长者幸福食堂”提出的异议处理结果：异议不成立。"
                                          "经核实，两项目服务对象不同，异议不成立。")


def test_an_objection_is_decided_once_with_an_investigation_and_a_public_summary(officer, objector):
    w = proposal_world(officer)
    objection = objection_against(w.s1, objector)
    e = refused(decide, objection, officer, LATER, True, " ", "异议成立。")
    assert (e.field, e.message) == ("investigation", "请填写调查核实情况。")
    e = refused(decide, objection, officer, LATER, True, "核实属实。", "")
    assert (e.field, e.message) == ("public_summary", "请填写向社会公开的处理结果摘要。")
    assert reload(objection).is_open and reload(w.s1).status == AwardStatus.SELECTED

    decide(objection, officer, LATER, False, "不存在重复。", "异议不成立。")
    db.session.commit()
    e = refused(decide, objection, officer, LATER + timedelta(hours=1), True, "再次核查。", "异议成立。")
    assert e.message == "该异议已于2026年7月17日 10:00处理完毕。"
    assert reload(objection).status == ObjectionStatus.REJECTED and reload(w.s1).status == AwardStatus.SELECTED
    assert len(notices(objector)) == 1
