"""Evaluations (中期评估 / 结项验收) and closure (结项): their preconditions and messages."""
from datetime import date
from decimal import Decimal

import pytest

from grantportal.core.db import db, utcnow
from grantportal.funding.models import ContractStatus, Payment, TrancheStatus
from grantportal.monitoring import operations as ops
from grantportal.monitoring.models import Evaluation, EvaluationGrade, EvaluationStage, ReportKind, ReportStatus
from tests.monitoring.conftest import filled, pay_all, report_of

MID, ACC = EvaluationStage.MIDTERM, EvaluationStage.ACCEPTANCE


def _submit(project, kind, accept=False):
    report = report_of(project, kind)
    ops.save_report(report, project.member, filled(report), utcnow(), submit=True)
    if accept:
        ops.accept_report(report, project.officer, utcnow())
    db.session.commit()
    return report


def _evaluate(project, stage, grade=EvaluationGrade.GOOD, score=None, comments="按计划完成服务，记录完整。"):
    ev = ops.record_evaluation(project.contract, project.officer, stage, grade, score, comments, utcnow())
    db.session.commit()
    return ev


def test_a_midterm_evaluation_needs_the_midterm_report_submitted(scheduled):
    with pytest.raises(ops.MonitoringRefused, match="尚未提交中期报告"):
        _evaluate(scheduled, MID)
    _submit(scheduled, ReportKind.MIDTERM)
    ev = _evaluate(scheduled, MID, score=Decimal("86.5"))
    assert ev.grade.passed and ev.score == Decimal("86.50")


def test_an_acceptance_needs_the_final_report_accepted(scheduled):
    _submit(scheduled, ReportKind.FINAL)
    with pytest.raises(ops.MonitoringRefused, match="结项报告尚未审核通过"):
        _evaluate(scheduled, ACC)
    final = report_of(scheduled, ReportKind.FINAL)
    ops.accept_report(final, scheduled.officer, utcnow())
    db.session.commit()
    assert _evaluate(scheduled, ACC, EvaluationGrade.EXCELLENT).stage == ACC


def test_comments_are_required_and_the_score_is_between_0_and_100(scheduled):
    _submit(scheduled, ReportKind.MIDTERM)
    with pytest.raises(ops.MonitoringRefused, match="请填写评估意见"):
        _evaluate(scheduled, MID, comments="  ")
    with pytest.raises(ops.MonitoringRefused, match="0至100分"):
        _evaluate(scheduled, MID, score=Decimal("100.5"))


def test_only_fail_is_not_passed_and_a_failed_stage_can_be_evaluated_again(scheduled):
    assert [g.passed for g in EvaluationGrade] == [True, True, True, False]
    _submit(scheduled, ReportKind.MIDTERM)
    assert not _evaluate(scheduled, MID, EvaluationGrade.FAIL).grade.passed
    _evaluate(scheduled, MID, EvaluationGrade.PASS)  # after 整改
    with pytest.raises(ops.MonitoringRefused, match="已通过中期评估（合格），不能重复评估"):
        _evaluate(scheduled, MID)


def test_only_an_active_project_is_evaluated(scheduled):
    _submit(scheduled, ReportKind.MIDTERM)
    scheduled.contract.status = ContractStatus.CLOSED
    db.session.commit()
    with pytest.raises(ops.MonitoringRefused, match="只能评估履行中的项目"):
        _evaluate(scheduled, MID)


def test_the_evaluation_form_shows_errors_next_to_fields(client, auth, scheduled):
    auth.login(scheduled.officer)
    url = f"/manage/projects/{scheduled.contract.id}/evaluate"
    resp = client.post(url, data={"stage": "midterm", "grade": "good", "score": "九十", "comments": ""})
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "评估得分须为0至100之间的数字" in body and "请填写评估意见" in body
    resp = client.post(url, data={"stage": "midterm", "grade": "good", "comments": "良好"})
    assert resp.status_code == 409 and "尚未提交中期报告" in resp.get_data(as_text=True)
    _submit(scheduled, ReportKind.MIDTERM)
    resp = client.post(url, data={"stage": "midterm", "grade": "good", "score": "88", "comments": "良好"})
    assert resp.status_code == 303
    assert db.session.scalar(db.select(Evaluation.grade)) == EvaluationGrade.GOOD


def test_closure_names_each_missing_step(scheduled):
    def problem():
        with pytest.raises(ops.MonitoringRefused) as e:
            ops.close_project(scheduled.contract, scheduled.officer, utcnow())
        db.session.rollback()
        return e.value.message

    assert problem() == "尚未进行结项验收，验收合格后才能结项。"
    _submit(scheduled, ReportKind.FINAL, accept=True)
    _evaluate(scheduled, ACC, EvaluationGrade.FAIL)
    assert problem() == "结项验收不合格，不能结项。"
    _evaluate(scheduled, ACC, EvaluationGrade.PASS)
    message = problem()
    assert message.startswith("尚有资金未拨付完毕：第1期（合同签订后，")
    assert message.endswith("各期拨付完成后才能结项。")
    assert "第2期（中期评估合格后，" in message and "第3期（结项验收合格后，" in message
    pay_all(scheduled.contract, scheduled.officer)
    last = scheduled.contract.tranches[2]
    db.session.execute(db.delete(Payment).where(Payment.tranche_id == last.id))
    last.status = TrancheStatus.PAYABLE
    db.session.commit()
    assert problem() == "尚有资金未拨付完毕：第3期（结项验收合格后，可拨付）。各期拨付完成后才能结项。"
    db.session.add(Payment(contract_id=scheduled.contract.id, tranche=last, paid_on=date(2026, 12, 1),
                           amount=last.amount, voucher_number="PZ-LAST", recorded_by_id=scheduled.officer.id))
    last.status = TrancheStatus.PAID
    db.session.commit()
    ops.close_project(scheduled.contract, scheduled.officer, utcnow())
    db.session.commit()
    assert scheduled.contract.status == ContractStatus.CLOSED and scheduled.contract.closed_at is not None
    assert problem() == "该项目已结项。"
    statuses = {r.kind: r.status for r in ops.reports_of(scheduled.contract)}
    assert statuses[ReportKind.FINAL] == ReportStatus.ACCEPTED
    assert statuses[ReportKind.PROGRESS] == ReportStatus.WAIVED  # never filed: no longer owed, never overdue


def test_closing_from_the_page_shows_the_missing_step(client, auth, scheduled):
    auth.login(scheduled.officer)
    resp = client.post(f"/manage/projects/{scheduled.contract.id}/close")
    assert resp.status_code == 409
    assert "尚未进行结项验收" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert scheduled.contract.status == ContractStatus.ACTIVE
    assert all(r.status == ReportStatus.DUE for r in ops.reports_of(scheduled.contract))


def _acceptance_round(project, totals, **kw):
    from grantportal.review.models import RoundKind, RoundStatus
    from tests import factories as f

    rnd = f.ReviewRoundFactory(call=project.call, name="结项验收评审", kind=RoundKind.ACCEPTANCE,
                               status=kw.pop("status", RoundStatus.CLOSED), **kw)
    for total in totals:
        f.submitted_review(f.AssignmentFactory(round=rnd, application=project.award.application), total=total)
    return rnd


def test_an_acceptance_can_take_its_score_from_an_expert_round(scheduled):
    _submit(scheduled, ReportKind.FINAL, accept=True)
    rnd = _acceptance_round(scheduled, [80, 90, 86])
    ev = ops.record_evaluation(scheduled.contract, scheduled.officer, ACC, EvaluationGrade.GOOD, Decimal("10"),
                               "专家验收评审通过。", utcnow(), review_round=rnd)
    assert ev.score == Decimal("85.33") and ev.review_round_id == rnd.id


def test_an_open_round_or_one_without_the_project_is_refused(scheduled):
    from grantportal.review.models import RoundStatus

    _submit(scheduled, ReportKind.FINAL, accept=True)
    open_round = _acceptance_round(scheduled, [80, 90, 86], status=RoundStatus.OPEN)
    with pytest.raises(ops.MonitoringRefused, match="尚未结束"):
        ops.record_evaluation(scheduled.contract, scheduled.officer, ACC, EvaluationGrade.GOOD, None, "通过。",
                              utcnow(), review_round=open_round)
    empty = _acceptance_round(scheduled, [])
    with pytest.raises(ops.MonitoringRefused, match="没有本项目已提交的专家评分"):
        ops.record_evaluation(scheduled.contract, scheduled.officer, ACC, EvaluationGrade.GOOD, None, "通过。",
                              utcnow(), review_round=empty)


def test_the_evaluation_form_offers_the_calls_closed_acceptance_rounds(client, auth, scheduled):
    _submit(scheduled, ReportKind.FINAL, accept=True)
    rnd = _acceptance_round(scheduled, [70, 80, 90])
    auth.login(scheduled.officer)
    url = f"/manage/projects/{scheduled.contract.id}/evaluate"
    assert "结项验收评审（验收评审）" in client.get(url).get_data(as_text=True)
    resp = client.post(url, data={"stage": "acceptance", "grade": "pass", "comments": "通过。",
                                  "review_round": str(rnd.id)})
    assert resp.status_code == 303
    assert db.session.scalar(db.select(Evaluation.score)) == Decimal("80.00")
