"""One truthful status per application, derived from the data, for every page and list (DESIGN.md §3).

    草稿 → 已提交（待资格审查）→ 资格审查通过 → 评审中 → 公示中（拟入选·候补·未入选）→ 入选 → 合同待签
    → 执行中 → 已结项, with the side exits 退回修改, 已撤回, 资格审查未通过, 未入选, 候补, 已终止.

This domain knows the stages up to the review; what happened after the results were published belongs
to awards and funding, so :func:`progress_of` asks them once for the whole page of applications
(``core.signals.application_progress``, answered by funding) — one query per page, never one per row.
"""
from dataclasses import dataclass

from grantportal.applications import workflow
from grantportal.applications.models import AppStatus, Screening
from grantportal.core import signals


@dataclass(frozen=True)
class Progress:
    """Where an application stands: its status in words, the badge tone (``ok``, ``info``, ``warn``,
    ``bad`` or ``''``) and what the applicant does next."""
    label: str
    tone: str
    next_step: str


def _before_results(app, now):
    """The status from the application's own data (everything up to the published results)."""
    if app.status == AppStatus.WITHDRAWN:
        return Progress("已撤回", "", "已撤回，无需操作")
    if app.status == AppStatus.SUPPORT_PENDING:
        return Progress("待支持机构确认", "info", "等待支持机构确认申报")
    if app.status in workflow.EDITABLE:
        draft = app.status == AppStatus.DRAFT
        if workflow.window_problem(app, now):
            return Progress("草稿（已截止）" if draft else "退回修改（已逾期）", "",
                            "已截止，未能提交" if draft else "修改期限已过")
        if draft:
            return Progress("草稿", "", "继续填写并提交")
        return Progress("退回修改", "warn", "按退回意见修改后重新提交")
    if app.screening == Screening.PENDING:
        return Progress("已提交", "info", "等待资格审查")
    if app.screening == Screening.FAILED:
        return Progress("资格审查未通过", "bad", "查看审查意见")
    if workflow.in_expert_review(app):
        return Progress("评审中", "info", "专家评审中，结果公示后可查看")
    return Progress("资格审查通过", "ok", "等待专家评审")


def progress_of(apps, now):
    """{application id: Progress} for ``apps`` (one page of a list, or a single application)."""
    progress = {app.id: _before_results(app, now) for app in apps}
    published = [app.id for app in apps if workflow.in_public_results(app) and app.status == AppStatus.SUBMITTED]
    if published:
        progress.update(signals.ask(signals.application_progress, published))
    return progress


def progress(app, now):
    """The one application's Progress."""
    return progress_of([app], now)[app.id]
