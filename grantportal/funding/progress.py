"""What happened to an application after its results were published, in one status (the answer to
``core.signals.application_progress``, asked by ``applications.lifecycle``): the award in the published
proposal, then, once the result is final, the contract and its execution."""
import sqlalchemy as sa

from grantportal.applications.lifecycle import Progress
from grantportal.awards.models import Award, AwardStatus, FinalStatus, Proposal, ProposalStatus
from grantportal.core.db import db
from grantportal.funding.models import Contract, ContractStatus

IN_PUBLICITY = {
    AwardStatus.SELECTED: Progress("公示中（拟入选）", "ok", "公示期满后确定最终结果"),
    AwardStatus.RESERVE: Progress("公示中（候补）", "info", "公示期满后确定最终结果"),
    AwardStatus.NOT_SELECTED: Progress("公示中（未入选）", "", "可查看评审意见；对结果有异议的，可在公示期内提出"),
    AwardStatus.CANCELLED: Progress("公示中（已撤销入选）", "bad", "查看异议处理结果"),
}
FINAL = {
    FinalStatus.RESERVE: Progress("候补", "info", "有入选项目放弃或被撤销时，按候补顺序递补"),
    FinalStatus.NOT_SELECTED: Progress("未入选", "", "可查看评审意见"),
}
SELECTED_BY_CONTRACT = {
    None: Progress("入选", "ok", "等待项目官员出具合同"),
    ContractStatus.DRAFT: Progress("入选", "ok", "等待项目官员出具合同"),
    ContractStatus.ISSUED: Progress("合同待签", "warn", "下载合同，签字盖章后上传扫描件"),
    ContractStatus.SIGNED: Progress("合同待确认", "info", "等待项目官员确认已签署的合同"),
    ContractStatus.ACTIVE: Progress("执行中", "ok", "按期提交项目报告"),
    ContractStatus.CLOSED: Progress("已结项", "ok", "项目已结项，无需操作"),
    ContractStatus.TERMINATED: Progress("合同已终止", "bad", "查看合同终止说明"),
}


def after_results(application_ids):
    """{application id: Progress} for those of ``application_ids`` whose award is in a published
    proposal (公示中 or final); one query for the whole list."""
    rows = db.session.execute(
        sa.select(Award.application_id, Award.status, Award.final_status, Proposal.status, Contract.status)
        .join(Proposal, Proposal.id == Award.proposal_id)
        .outerjoin(Contract, Contract.award_id == Award.id)
        .where(Award.application_id.in_(application_ids), Proposal.status != ProposalStatus.DRAFT)).all()
    return {app_id: _progress(status, final, proposal, contract)
            for app_id, status, final, proposal, contract in rows}


def _progress(status, final, proposal_status, contract_status):
    if proposal_status == ProposalStatus.PUBLICIZED or final is None:
        return IN_PUBLICITY[status]
    if final == FinalStatus.SELECTED:
        return SELECTED_BY_CONTRACT[contract_status]
    return FINAL[final]
