"""Evaluations of a project in progress: the officer's 中期评估 and 结项验收, optionally scored by an expert
验收评审 round of the call. Monitoring tells funding: each evaluation is reported to
``funding.payments.operations.record_milestone``, so that funding derives its tranches from its own rows
(the tranches that wait for it become payable, or are paused when a 中期评估 fails). Each write takes the
project's lock, flushes under a named audit action and never commits."""
from decimal import Decimal

import sqlalchemy as sa

from grantportal.core.audit import audit_action
from grantportal.core.db import built_once, db
from grantportal.core.wording import quoted
from grantportal.funding.models import ContractStatus
from grantportal.funding.payments.operations import record_milestone
from grantportal.monitoring.models import Evaluation, EvaluationStage, Report, ReportKind, ReportStatus
from grantportal.monitoring.workflow import MonitoringRefused, lock_project, notify_org
from grantportal.review.models import ReviewRound, RoundKind, RoundStatus
from grantportal.review.results.aggregate import round_results

MAX_SCORE = Decimal(100)


def _report_of_kind(contract, kind):
    return db.session.scalars(sa.select(Report).where(Report.contract_id == contract.id, Report.kind == kind)
                              .order_by(Report.id.desc())).first()


def evaluations_of(contract):
    return db.session.scalars(_evaluations_of(), {"contract_id": contract.id}).all()


@built_once
def _evaluations_of():
    return (sa.select(Evaluation).where(Evaluation.contract_id == sa.bindparam("contract_id"))
            .order_by(Evaluation.evaluated_at, Evaluation.id))


def recorded_evaluations(contract):
    """``evaluations_of`` for the public pages: no query when the contract has neither milestone stamped (every
    evaluation stamps its stage's milestone on the contract, ``record_milestone``), as most contracts in force."""
    if contract.midterm_at is None and contract.acceptance_at is None:
        return []
    return evaluations_of(contract)


def latest_evaluation(contract, stage):
    found = [e for e in evaluations_of(contract) if e.stage == stage]
    return found[-1] if found else None


def evaluation_problem(contract, stage):
    """Why ``stage`` cannot be evaluated now (Chinese), or None."""
    if contract.status != ContractStatus.ACTIVE:
        return f"合同状态为{quoted(contract.status.label)}，只能评估履行中的项目。"
    latest = latest_evaluation(contract, stage)
    if latest is not None and latest.grade.passed:
        return f"该项目已通过{stage.label}（{latest.grade.label}），不能重复评估。"
    if stage == EvaluationStage.MIDTERM:
        report = _report_of_kind(contract, ReportKind.MIDTERM)
        if report is None or report.status not in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            return "机构尚未提交中期报告，不能进行中期评估。"
    else:
        report = _report_of_kind(contract, ReportKind.FINAL)
        if report is None or report.status != ReportStatus.ACCEPTED:
            return "结项报告尚未审核通过，不能进行结项验收。"
    return None


def acceptance_rounds(contract):
    """The call's closed expert rounds of kind 验收评审, which an evaluation may take its score from."""
    return db.session.scalars(sa.select(ReviewRound).where(
        ReviewRound.call_id == contract.award.proposal.call_id, ReviewRound.kind == RoundKind.ACCEPTANCE,
        ReviewRound.status == RoundStatus.CLOSED).order_by(ReviewRound.position, ReviewRound.id)).all()


def round_score(contract, review_round):
    """The project's aggregated score in an expert 验收评审 round (``review.aggregate.round_results``)."""
    if review_round.call_id != contract.award.proposal.call_id or review_round.kind != RoundKind.ACCEPTANCE:
        raise MonitoringRefused("只能采用本项目所在征集的验收评审轮次。", "review_round", 400)
    if review_round.status != RoundStatus.CLOSED:
        raise MonitoringRefused("该验收评审轮次尚未结束，不能采用其得分。", "review_round")
    stats = round_results(review_round).get(contract.award.application_id)
    if stats is None:
        raise MonitoringRefused("该验收评审轮次中没有本项目已提交的专家评分。", "review_round")
    return stats.score


def record_evaluation(contract, officer, stage, grade, score, comments, now, review_round=None, link=None):
    """An officer's 中期评估 or 结项验收 of an active project, reported to funding (the tranches that wait
    for it become payable, or are paused when a 中期评估 fails). With
    ``review_round`` (an expert 验收评审 round of the call) the score is that round's aggregated score."""
    comments = (comments or "").strip()
    if not comments:
        raise MonitoringRefused("请填写评估意见。", "comments", 400)
    if review_round is not None:
        score = round_score(contract, review_round)
    if score is not None and not (Decimal(0) <= score <= MAX_SCORE):
        raise MonitoringRefused("评估得分须在0至100分之间。", "score", 400)
    lock_project(contract)
    problem = evaluation_problem(contract, stage)
    if problem:
        raise MonitoringRefused(problem, "stage")
    with audit_action("evaluation.record"):
        evaluation = Evaluation(contract_id=contract.id, stage=stage, grade=grade, score=score, comments=comments,
                                review_round_id=review_round.id if review_round is not None else None,
                                evaluated_by_id=officer.id, evaluated_at=now)
        db.session.add(evaluation)
        db.session.flush()
        result = "合格" if grade.passed else "不合格"
        notify_org(contract, f"{stage.label}结果：{grade.label}",
                   f"项目{quoted(contract.award.application.title)}的{stage.label}结果为{grade.label}（{result}）。"
                   f"评估意见：{comments}", link)
        record_milestone(contract, stage.milestone, grade.passed, now, officer)
        db.session.flush()
    return evaluation
