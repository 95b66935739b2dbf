"""结项: an active project closes once its 结项验收 passed and every tranche is paid. Monitoring tells funding:
the contract closes through ``funding.contracts.operations.close_contract``; the reports still owed are
waived (免于提交, ``workflow.REPORT``). The write takes the project's lock, flushes under a named audit
action and never commits."""
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.wording import quoted
from grantportal.funding.contracts.operations import close_contract
from grantportal.funding.models import ContractStatus, TrancheStatus
from grantportal.funding.payments.operations import refresh_tranches
from grantportal.monitoring.evaluations import latest_evaluation
from grantportal.monitoring.models import EvaluationStage
from grantportal.monitoring.workflow import REPORT, MonitoringRefused, lock_project, notify_org, reports_of


def closure_problem(contract):
    """The first missing step before the project can be closed (Chinese), or None."""
    if contract.status == ContractStatus.CLOSED:
        return "该项目已结项。"
    if contract.status != ContractStatus.ACTIVE:
        return f"合同状态为{quoted(contract.status.label)}，只有履行中的项目才能结项。"
    if contract.paused_reason:  # stamped while an 整改 is open (monitoring/rectification.py)
        return "整改尚未完成，整改完成后才能结项。"
    acceptance = latest_evaluation(contract, EvaluationStage.ACCEPTANCE)
    if acceptance is None:
        return "尚未进行结项验收，验收合格后才能结项。"
    if not acceptance.grade.passed:
        return "结项验收不合格，不能结项。"
    unpaid = [t for t in contract.tranches if t.status != TrancheStatus.PAID]
    if unpaid:
        names = "、".join(f"第{t.position}期（{t.condition.label}，{t.status.label}）" for t in unpaid)
        return f"尚有资金未拨付完毕：{names}。各期拨付完成后才能结项。"
    return None


def close_project(contract, user, now, link=None):
    """结项: only with a passing 结项验收 and every tranche paid (tranche states refreshed first)."""
    lock_project(contract)
    with audit_action("tranche.refresh"):
        refresh_tranches(contract)
    problem = closure_problem(contract)
    if problem:
        raise MonitoringRefused(problem)
    with audit_action("contract.close"):
        close_contract(contract, user, now)
        for report in reports_of(contract):  # progress reports not yet due are no longer owed
            if REPORT.allows(report, "waive"):
                report.status = REPORT.require(user, report, "waive").target
        title = contract.award.application.title
        notify_org(contract, "项目已结项", f"项目{quoted(title)}已通过结项验收并完成拨付，现已结项。", link)
        db.session.flush()
    return contract
