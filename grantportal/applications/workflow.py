"""The application workflow as data: states, transitions, who acts, and the time window.

    草稿 draft ──submit──▶ 已提交 submitted ──return──▶ 退回修改 returned ──submit──▶ submitted
       └────────────── withdraw ──────────────┴──────────────────┘──▶ 已撤回 withdrawn

The applicant edits, submits and withdraws only while its window is open: the call's apply stage
(server time, until ``closes_at``), or until the officer's ``revise_until`` for a returned application.
"""
from dataclasses import dataclass

from grantportal.applications.models import AppStatus
from grantportal.calls.models import CallStatus
from grantportal.core.timeutil import format_datetime

S = AppStatus

# States in which the applicant may change the content (text, budget, attachments).
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
# States that count towards the call's limit of applications per organization.
ACTIVE = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: AppStatus
    actor: str  # "applicant" or "officer"
    in_window: bool  # only while the applicant's window is open


TRANSITIONS = {
    "submit": Transition("submit", "提交", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, "applicant", True),
    "withdraw": Transition("withdraw", "撤回", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED}), S.WITHDRAWN,
                           "applicant", True),
    "return": Transition("return", "退回修改", frozenset({S.SUBMITTED}), S.RETURNED, "officer", False),
}
# Screening is a decision on a submitted application, not a change of its status.
SCREENABLE = frozenset({S.SUBMITTED})


class WorkflowError(Exception):
    """A change the current state or time does not allow; the message is shown to the user (409)."""

    status = 409


def apply_window_problem(call, now):
    """Why the call's apply stage is not open now, or None."""
    if call.status != CallStatus.PUBLISHED:
        return "该征集未发布或已结束，不能申报。"
    stage = call.apply_stage
    if stage is None:
        return "该征集未设置申报阶段，不能在线申报。"
    if stage.opens_at and now < stage.opens_at:
        return f"申报尚未开始，开始时间为{format_datetime(stage.opens_at)}。"
    if stage.closes_at and now >= stage.closes_at:
        return f"申报已于{format_datetime(stage.closes_at)}截止。"
    return None


def deadline(app):
    """The moment the applicant's window closes (None: no deadline set)."""
    if app.status == S.RETURNED and app.revise_until:
        return app.revise_until
    return app.call.deadline


def window_problem(app, now):
    """Why the applicant may not change this application now (time only), or None."""
    if app.status == S.RETURNED:
        if app.revise_until and now >= app.revise_until:
            return f"修改期限已于{format_datetime(app.revise_until)}截止。"
        return None
    return apply_window_problem(app.call, now)


def is_editable(app, now):
    return app.status in EDITABLE and window_problem(app, now) is None


def check_editable(app, now):
    if app.status not in EDITABLE:
        raise WorkflowError(f"该申报书状态为“{app.status.label}”，不能修改。")
    problem = window_problem(app, now)
    if problem:
        raise WorkflowError(problem + "不能再修改。")


def in_expert_review(app):
    """Whether experts have been given this application in a round that has started (stamped by review):
    from then on its content must not change under them, so it can no longer be returned for revision."""
    return app.review_started_at is not None


def in_public_results(app):
    """Whether the application is in a published award proposal (公示 or final; stamped by awards): from
    then on the applicant cannot withdraw it; giving up an award goes through the officer."""
    return app.results_published_at is not None


def allowed(app, name, now):
    t = TRANSITIONS[name]
    if name == "return" and app.status in t.sources and in_expert_review(app):
        return False
    if name == "withdraw" and app.status == S.SUBMITTED and in_public_results(app):
        return False
    return app.status in t.sources and (not t.in_window or window_problem(app, now) is None)


def check_transition(app, name, now):
    t = TRANSITIONS[name]
    if app.status not in t.sources:
        raise WorkflowError(f"该申报书状态为“{app.status.label}”，不能{t.label}。")
    if name == "return" and in_expert_review(app):
        raise WorkflowError("该申报已进入专家评审，内容不能再修改，因此不能退回修改。")
    if name == "withdraw" and app.status == S.SUBMITTED and in_public_results(app):
        raise WorkflowError("评审结果已公示，不能再撤回申报。如需放弃资助，请联系项目官员。")
    if t.in_window:
        problem = window_problem(app, now)
        if problem:
            raise WorkflowError(f"{problem}不能再{t.label}。")
    return t
