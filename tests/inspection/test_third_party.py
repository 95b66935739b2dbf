"""Third-party supervision: appointments and what they open, 实地检查 submitted, returned, resubmitted and confirmed
(with inbox notices and audit entries), evaluations scored per 绩效目标, and a third party verifying a 整改 so that
the paused tranches are released. A third party not appointed to the project is refused and nothing is saved."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.core.audit import AuditEntry
from grantportal.core.db import db, utcnow
from grantportal.core.timeutil import local_today
from grantportal.funding.models import Contract, TrancheStatus
from grantportal.inspection import operations as ops
from grantportal.inspection.models import (
    CheckResult,
    EvaluationKind,
    InspectionVisit,
    ThirdPartyEvaluation,
    VisitPhoto,
    WorkStatus,
)
from grantportal.inspection.queries import is_appointed, performance_targets, supervised_projects
from grantportal.monitoring import rectification as rect
from grantportal.monitoring.rectification_models import CaseStatus, RectificationCase
from grantportal.monitoring.timeline import project_timeline
from tests.inspection.conftest import FINDINGS, as_user, notices, photo, visit_data, visit_form


def _audited(action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def _visits():
    return db.session.scalars(sa.select(InspectionVisit).order_by(InspectionVisit.id)).all()


def text(resp):
    return resp.get_data(as_text=True)


# --- appointments ----------------------------------------------------------------------------------------

def test_an_appointment_opens_only_its_projects_for_its_dates(world):
    assert is_appointed(world.inspector, world.contract)
    assert not is_appointed(world.inspector, world.other)
    assert not is_appointed(world.outsider, world.contract)
    assert not is_appointed(world.officer, world.contract)  # staff read everything, but are no third party
    assert [c.id for c in supervised_projects(world.agency)] == [world.contract.id]
    assert supervised_projects(world.agency_b) == []
    assert notices(world.inspector, "受委托开展第三方监管")
    assert _audited("inspection.appoint")

    today = local_today()
    ops.appoint(world.agency_b, world.officer, today, today + timedelta(days=10), call=world.call)
    db.session.commit()
    assert {c.id for c in supervised_projects(world.agency_b)} == {world.contract.id, world.other.id}
    assert is_appointed(world.outsider, world.other)
    assert not is_appointed(world.outsider, world.other, today=today + timedelta(days=11))  # expired
    assert not is_appointed(world.outsider, world.other, today=today - timedelta(days=1))  # not yet begun


def test_the_third_partys_pages_show_its_projects_and_refuse_the_others(world, client):
    as_user(client, world.inspector)
    mine = text(client.get("/third-party/projects"))
    assert world.contract.award.application.title in mine and world.other.award.application.title not in mine
    page = client.get(f"/third-party/projects/{world.contract.id}")
    assert page.status_code == 200
    assert "培育志愿者30名" in text(page) and "第1期" in text(page)  # 绩效目标 and tranches
    assert client.get(f"/projects/{world.contract.id}/timeline").status_code == 200  # reports and timeline
    assert client.get(f"/third-party/projects/{world.other.id}").status_code == 403
    assert client.get(f"/projects/{world.other.id}/timeline").status_code == 403
    assert client.get("/third-party/projects/999999").status_code == 404
    as_user(client, world.outsider)
    assert client.get(f"/third-party/projects/{world.contract.id}").status_code == 403
    assert client.get(f"/projects/{world.contract.id}/timeline").status_code == 403


def test_the_officer_registers_an_agency_adds_staff_and_appoints_it(world, client):
    as_user(client, world.officer)
    bad = client.post("/manage/third-parties", data={"name": "某评估中心", "uscc": "123", "contact_name": "王",
                                                     "contact_phone": "0760-1"})
    assert bad.status_code == 400 and "统一社会信用代码" in text(bad)
    same = client.post("/manage/third-parties", data={"name": "重复", "uscc": world.agency.uscc,
                                                      "contact_name": "王", "contact_phone": "0760-1"})
    assert same.status_code == 400 and "已登记" in text(same)
    staff = client.post(f"/manage/third-parties/{world.agency_b.id}/staff", data={
        "username": "inspector_c", "name": "郑核查", "phone": "13800000003", "password": "Hecha-2026!xy",
        "password2": "Hecha-2026!xy"})
    assert staff.status_code == 303
    neither = client.post(f"/manage/third-parties/{world.agency_b.id}/appointments",
                          data={"starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    assert neither.status_code == 400 and "二者选一" in text(neither)
    backwards = client.post(f"/manage/third-parties/{world.agency_b.id}/appointments",
                            data={"contract_id": str(world.other.id), "starts_on": "2026-12-31",
                                  "ends_on": "2026-01-01"})
    assert backwards.status_code == 400 and "不能早于开始日期" in text(backwards)
    today = local_today()
    done = client.post(f"/manage/third-parties/{world.agency_b.id}/appointments",
                       data={"call_id": str(world.call.id), "starts_on": today.isoformat(),
                             "ends_on": (today + timedelta(days=90)).isoformat()})
    assert done.status_code == 303
    assert is_appointed(world.outsider, world.other)
    new = db.session.scalar(sa.select(User).where(User.username == "inspector_c"))
    assert notices(new, "受委托开展第三方监管") and notices(new, "已登记为第三方机构工作人员")


# --- 实地检查 --------------------------------------------------------------------------------------------

def test_a_third_party_not_appointed_is_refused_and_nothing_is_saved(world, client):
    with pytest.raises(ops.InspectionRefused, match="未受委托") as refused:
        ops.save_visit(world.contract, world.outsider, visit_data(), utcnow(), submit=True)
    assert refused.value.status == 403
    db.session.rollback()
    as_user(client, world.outsider)
    resp = client.post(f"/third-party/projects/{world.contract.id}/visits/new", data=visit_form(submit=True),
                       content_type="multipart/form-data")
    assert resp.status_code == 403 and "未受委托监管该项目" in text(resp)
    as_user(client, world.inspector)  # appointed to one project, not to the other
    resp = client.post(f"/third-party/projects/{world.other.id}/visits/new", data=visit_form(submit=True),
                       content_type="multipart/form-data")
    assert resp.status_code == 403
    assert _visits() == []


def test_a_visit_is_submitted_returned_resubmitted_and_confirmed(world, client):
    as_user(client, world.inspector)
    results = ["meets", "fails", "meets", "mostly", "meets", "meets"]
    resp = client.post(f"/third-party/projects/{world.contract.id}/visits/new",
                       data=visit_form(results, photos=[photo()]), content_type="multipart/form-data")
    assert resp.status_code == 303
    (visit,) = _visits()
    assert visit.status == WorkStatus.DRAFT and len(visit.photos) == 1
    assert [c.result for c in visit.checks][1] == CheckResult.FAILS
    resp = client.post(f"/third-party/visits/{visit.id}", data=visit_form(results, submit=True),
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    db.session.expire_all()
    assert visit.status == WorkStatus.SUBMITTED
    assert notices(world.officer, "实地检查记录待确认")
    assert client.get(f"/third-party/visits/{visit.id}/photos/{visit.photos[0].id}").status_code == 200

    as_user(client, world.officer)
    page = text(client.get(f"/third-party/visits/{visit.id}"))
    assert "张某某（项目负责人）" in page and "确认或退回" in page
    no_reason = client.post(f"/third-party/visits/{visit.id}/decide", data={"send_back": "1", "reason": ""})
    assert no_reason.status_code == 400 and "退回时请写明理由" in text(no_reason)
    resp = client.post(f"/third-party/visits/{visit.id}/decide",
                       data={"send_back": "1", "reason": "照片不清晰，请补拍"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert visit.status == WorkStatus.RETURNED and visit.return_reason == "照片不清晰，请补拍"
    assert notices(world.inspector, "实地检查记录被退回")

    as_user(client, world.inspector)
    assert "照片不清晰" in text(client.get(f"/third-party/visits/{visit.id}"))
    resp = client.post(f"/third-party/visits/{visit.id}", data=visit_form(results, submit=True, photos=[photo()]),
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    as_user(client, world.officer)
    assert client.post(f"/third-party/visits/{visit.id}/decide", data={"confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert visit.status == WorkStatus.CONFIRMED and visit.decided_by_id == world.officer.id
    assert notices(world.inspector, "实地检查记录已确认")
    for action in ("inspection_visit.create", "inspection_visit.save", "inspection_visit.submit",
                   "inspection_visit.return", "inspection_visit.confirm"):
        assert _audited(action), action
    # a confirmed visit cannot be changed
    as_user(client, world.inspector)
    resp = client.post(f"/third-party/visits/{visit.id}", data=visit_form(results, submit=True),
                       content_type="multipart/form-data")
    assert resp.status_code == 409 and "不能再修改" in text(resp)
    # on the timeline: when, who, how many items failed — no people met, no findings' detail
    events = [e for e in project_timeline(world.contract, local_today()) if e.kind == "inspection"]
    assert len(events) == 1 and "1项不符合" in events[0].detail and "张某某" not in events[0].detail
    # the officer opens a 整改 from it, the findings prefilled
    as_user(client, world.officer)
    assert "据此责令整改" in text(client.get(f"/third-party/visits/{visit.id}"))
    form = text(client.get(f"/manage/projects/{world.contract.id}/rectifications/new?visit={visit.id}"))
    assert "服务台账缺少3月份探访记录" in form


def test_submitting_needs_every_checklist_item_and_findings_when_an_item_fails(world, client):
    as_user(client, world.inspector)
    results = ["meets", None, "meets", "meets", "meets", "meets"]
    resp = client.post(f"/third-party/projects/{world.contract.id}/visits/new", data=visit_form(results, submit=True),
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "台账记录完整" in text(resp)
    results = ["fails", "meets", "meets", "meets", "meets", "meets"]
    resp = client.post(f"/third-party/projects/{world.contract.id}/visits/new",
                       data=visit_form(results, findings="", submit=True), content_type="multipart/form-data")
    assert resp.status_code == 400 and "请填写发现的问题" in text(resp)
    assert _visits() == []


def test_photos_keep_the_upload_limits(world, client, app):
    as_user(client, world.inspector)
    resp = client.post(f"/third-party/projects/{world.contract.id}/visits/new",
                       data=visit_form(photos=[photo(b"%PDF-1.4 not a photo", "现场.pdf")]),
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "不支持该文件类型" in text(resp)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    resp = client.post(f"/third-party/projects/{world.contract.id}/visits/new",
                       data=visit_form(photos=[photo(b"\x89PNG" + b"0" * 8000, "大.png")]),
                       content_type="multipart/form-data")
    assert resp.status_code == 413 and "文件过大" in text(resp)
    assert _visits() == [] and db.session.scalar(sa.select(sa.func.count(VisitPhoto.id))) == 0


def test_the_people_met_stay_off_the_public_and_organization_pages(world, client):
    visit = ops.save_visit(world.contract, world.inspector, visit_data(), utcnow(), submit=True)
    db.session.commit()
    ops.decide(visit, world.officer, True, utcnow())
    db.session.commit()
    public = text(client.get(f"/projects/{world.contract.id}"))
    assert "张某某" not in public
    as_user(client, world.member)
    assert "张某某" not in text(client.get(f"/projects/{world.contract.id}/timeline"))
    assert client.get(f"/third-party/visits/{visit.id}").status_code == 403
    as_user(client, world.auditor)
    assert client.get(f"/third-party/visits/{visit.id}").status_code == 200


# --- evaluations -----------------------------------------------------------------------------------------

def test_an_evaluation_scores_each_performance_target(world, client):
    assert performance_targets(world.contract) == ["直接服务社区长者200人次", "开展健康讲座与探访活动48场",
                                                   "培育志愿者30名"]
    as_user(client, world.inspector)
    page = text(client.get(f"/third-party/projects/{world.contract.id}/evaluations/new?kind=midterm"))
    assert "开展健康讲座与探访活动48场" in page
    assert client.get(f"/third-party/projects/{world.contract.id}/evaluations/new?kind=other").status_code == 404
    data = {"scores-0-score": "90", "scores-1-score": "", "scores-2-score": "80", "surveyed": "120",
            "satisfaction": "96.5", "conclusion": "项目按计划推进，服务成效良好。", "submit": "1"}
    resp = client.post(f"/third-party/projects/{world.contract.id}/evaluations/new?kind=midterm", data=data)
    assert resp.status_code == 400 and "还有绩效目标未评分" in text(resp)
    assert db.session.scalar(sa.select(sa.func.count(ThirdPartyEvaluation.id))) == 0
    over = client.post(f"/third-party/projects/{world.contract.id}/evaluations/new?kind=midterm",
                       data={**data, "scores-1-score": "101"})
    assert over.status_code == 400
    resp = client.post(f"/third-party/projects/{world.contract.id}/evaluations/new?kind=midterm",
                       data={**data, "scores-1-score": "85"})
    assert resp.status_code == 303
    evaluation = db.session.scalar(sa.select(ThirdPartyEvaluation))
    assert evaluation.kind == EvaluationKind.MIDTERM and evaluation.status == WorkStatus.SUBMITTED
    assert [s.score for s in evaluation.scores] == [Decimal(90), Decimal(85), Decimal(80)]
    assert [s.indicator for s in evaluation.scores][2] == "培育志愿者30名"
    assert evaluation.score == Decimal("85.00") and evaluation.satisfaction == Decimal("96.5")
    assert notices(world.officer, "中期评估待确认")
    again = client.post(f"/third-party/projects/{world.contract.id}/evaluations/new?kind=midterm", data=data)
    assert again.status_code == 409 and "请在原记录中修改" in text(again)

    as_user(client, world.officer)
    assert client.post(f"/third-party/evaluations/{evaluation.id}/decide", data={"confirm": "1"}).status_code == 303
    assert notices(world.inspector, "中期评估已确认") and _audited("third_party_evaluation.confirm")
    events = [e for e in project_timeline(world.contract, local_today()) if e.kind == "inspection"]
    assert events and "满意率96.5" in events[0].detail and "平均得分85.00" in events[0].detail
    page = text(client.get(f"/projects/{world.contract.id}/timeline"))
    assert "第三方监管" in page and "平均得分85.00" in page
    # the officer's own 中期评估 (the one tranches wait for) can take the confirmed evaluation's score and findings
    page = text(client.get(f"/manage/projects/{world.contract.id}/evaluate"))
    assert "第三方机构的评估" in page and "采用此评估填写" in page
    filled = text(client.get(f"/manage/projects/{world.contract.id}/evaluate?third_party={evaluation.id}"))
    assert re.search(r'<input[^>]*checked[^>]*value="midterm"', filled) and 'value="85.00"' in filled
    assert re.search(r"依据第三方机构.*的中期评估（平均得分85\.00分，服务对象满意率96\.50?%（调查120人））："
                     r"项目按计划推进", filled)


def test_an_evaluation_by_a_third_party_not_appointed_is_refused(world, client):
    as_user(client, world.outsider)
    resp = client.post(f"/third-party/projects/{world.contract.id}/evaluations/new?kind=final",
                       data={"scores-0-score": "90", "conclusion": "好", "save": "1"})
    assert resp.status_code == 403
    with pytest.raises(ops.InspectionRefused, match="未受委托"):
        ops.save_evaluation(world.contract, world.outsider, EvaluationKind.FINAL, ops.EvaluationData(), utcnow())
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ThirdPartyEvaluation.id))) == 0


# --- the 整改 loop ---------------------------------------------------------------------------------------

def test_the_appointed_third_party_verifies_a_rectification_and_the_tranches_are_released(world, client):
    case = rect.open_case(world.contract, world.officer, FINDINGS, None, utcnow())
    db.session.commit()
    assert db.session.get(Contract, world.contract.id).paused_reason
    rect.file_report(case, world.member, "已补齐3月份探访记录并完成志愿者培训。", utcnow())
    db.session.commit()
    assert notices(world.inspector, "整改报告待核查") and not notices(world.outsider, "整改报告待核查")

    as_user(client, world.outsider)  # a third party not appointed to the project
    assert client.post(f"/rectifications/{case.id}/verify", data={"verdict": "done"}).status_code == 403
    with pytest.raises(rect.MonitoringRefused, match="未受委托") as refused:
        rect.verify(case, world.outsider, rect.Verdict.DONE, utcnow())
    assert refused.value.status == 403
    db.session.rollback()

    as_user(client, world.inspector)
    page = text(client.get(f"/rectifications/{case.id}"))
    assert "核查整改" in page
    resp = client.post(f"/rectifications/{case.id}/verify", data={"verdict": "done"})
    assert resp.status_code == 303
    db.session.expire_all()
    case = db.session.get(RectificationCase, case.id)
    assert case.status == CaseStatus.CLOSED and case.closed_by_id == world.inspector.id
    contract = db.session.get(Contract, world.contract.id)
    assert contract.paused_reason is None
    assert all(t.status != TrancheStatus.BLOCKED or "整改" not in (t.blocked_reason or "") for t in contract.tranches)
    assert notices(world.member, "整改已完成")
    assert notices(world.officer, "第三方机构核查整改：整改完成")


def test_a_returned_evaluation_is_edited_and_resubmitted(world):
    scores = [ops.ScoreData(Decimal(80)), ops.ScoreData(Decimal(70)), ops.ScoreData(Decimal(60))]
    data = ops.EvaluationData(surveyed=50, satisfaction=Decimal("88"), conclusion="基本达到预期。", scores=scores)
    evaluation = ops.save_evaluation(world.contract, world.inspector, EvaluationKind.FINAL, data, utcnow(),
                                     submit=True)
    db.session.commit()
    with pytest.raises(ops.InspectionRefused, match="只有项目官员可以确认"):
        ops.decide(evaluation, world.inspector, True, utcnow())
    db.session.rollback()
    with pytest.raises(ops.InspectionRefused, match="退回理由"):
        ops.decide(evaluation, world.officer, False, utcnow(), "")
    db.session.rollback()
    ops.decide(evaluation, world.officer, False, utcnow(), "满意度调查样本过少")
    db.session.commit()
    assert evaluation.status == WorkStatus.RETURNED and notices(world.inspector, "结项评估被退回")
    with pytest.raises(ops.InspectionRefused, match="不是待确认状态"):
        ops.decide(evaluation, world.officer, True, utcnow())
    db.session.rollback()
    data.surveyed = 150
    ops.save_evaluation(world.contract, world.inspector, EvaluationKind.FINAL, data, utcnow(), evaluation=evaluation,
                        submit=True)
    db.session.commit()
    assert evaluation.status == WorkStatus.SUBMITTED and evaluation.surveyed == 150
    assert evaluation.return_reason is None and evaluation.score == Decimal("70.00")
    assert _audited("third_party_evaluation.return") and _audited("third_party_evaluation.submit")
