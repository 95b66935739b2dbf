"""The application workflow as data: states, transitions, who acts, and the time window.

    草稿 draft ──submit──▶ 已提交 submitted ──return──▶ 退回修改 returned ──submit──▶ submitted
       └────────────── withdraw ──────────────┴──────────────────┘──▶ 已撤回 withdrawn

A grassroots team's application (``team_id`` set; teams/) does not go straight to 已提交: its leader forwards it
to the supporting organization, which is the applicant of record and confirms it (确认申报 = submit, signing the
诚信承诺书) or sends it back with a reason (退回团队):

    草稿 / 退回修改 ──forward──▶ 待支持机构确认 support_pending ──submit──▶ 已提交
                                   └──support_return──▶ 草稿

The applicant edits, submits and withdraws only while its window is open: the call's apply stage
(server time, until ``closes_at``), or until the officer's ``revise_until`` for a returned application.
"""
from grantportal.applications.models import AppStatus
from grantportal.calls.models import CallStatus
from grantportal.core.errors import Refused
from grantportal.core.permissions import has_role, is_officer
from grantportal.core.roles import Role
from grantportal.core.timeutil import format_datetime
from grantportal.core.wording import quoted
from grantportal.core.workflow import StateMachine, Transition

S = AppStatus

# States in which the applicant may change the content (text, budget, attachments).
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
# States that count towards the call's limit of applications per organization.
ACTIVE = frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.SUPPORT_PENDING})
# Screening is a decision on a submitted application, not a change of its status.
SCREENABLE = frozenset({S.SUBMITTED})


class WorkflowError(Refused):
    """A change the current state or time does not allow; the message is shown to the user (409)."""


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
    if app.status == S.RETURNED or (app.status == S.SUPPORT_PENDING and app.revise_until):
        if app.revise_until and now >= app.revise_until:
            return f"修改期限已于{format_datetime(app.revise_until)}截止。"
        return None
    return apply_window_problem(app.call, now)


def is_editable(app, now):
    return app.status in EDITABLE and window_problem(app, now) is None


def check_editable(app, now):
    if app.status not in EDITABLE:
        raise WorkflowError(f"该申报书状态为{quoted(app.status.label)}，不能修改。")
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


def _in_window(verb):
    def guard(app, now):
        problem = window_problem(app, now)
        return [f"{problem}不能再{verb}。"] if problem else []
    return guard


def _may_return(app, now):
    if in_expert_review(app):
        return ["该申报已进入专家评审，内容不能再修改，因此不能退回修改。"]
    return []


def _may_withdraw(app, now):
    if app.status == S.SUBMITTED and in_public_results(app):
        return ["评审结果已公示，不能再撤回申报。如需放弃资助，请联系项目官员。"]
    return _in_window("撤回")(app, now)


def _is_applicant(user):
    return has_role(user, Role.ORG_MEMBER)


def _by_team_through_support(app, now):
    """A team's application is submitted by its supporting organization's confirmation, after the forward."""
    if app.team_id is not None and app.status != S.SUPPORT_PENDING:
        return ["草根团队的申报须先由团队负责人提交支持机构确认，再由支持机构确认申报。"]
    return _in_window("提交")(app, now)


def _team_application(app, now):
    if app.team_id is None:
        return ["只有草根团队的申报需要提交支持机构确认。"]
    return _in_window("提交")(app, now)


APPLICATION = StateMachine(
    "application", "status", AppStatus, final=frozenset({S.WITHDRAWN}), refusal=WorkflowError,
    wrong_state="该申报书状态为“{state}”，不能{verb}。", blocked="{problems}",
    transitions=(
        Transition("submit", frozenset({S.DRAFT, S.RETURNED, S.SUPPORT_PENDING}), S.SUBMITTED, "提交", "申报机构",
                   _is_applicant, _by_team_through_support),
        Transition("withdraw", frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.SUPPORT_PENDING}), S.WITHDRAWN, "撤回",
                   "申报机构", _is_applicant, _may_withdraw),
        Transition("forward", frozenset({S.DRAFT, S.RETURNED}), S.SUPPORT_PENDING, "提交支持机构确认", "团队负责人",
                   _is_applicant, _team_application),
        Transition("support_return", frozenset({S.SUPPORT_PENDING}), S.DRAFT, "退回团队", "支持机构", _is_applicant),
        Transition("return", frozenset({S.SUBMITTED}), S.RETURNED, "退回修改", "项目官员", is_officer, _may_return),
    ),
)


def allowed(app, name, now):
    """Whether the state and time allow step ``name`` now (the page asks the permission for the person)."""
    return APPLICATION.allows(app, name, now)
