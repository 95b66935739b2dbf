"""A call's workflow, held as data (``core.workflow``): 草稿 → 已发布 → 已结束, who may take each step
and what must be true first; ``CALL.check`` is the one place that answers "may this step happen now, for
this user?". Also the call's public phase (即将开始 / 征集中 / 已截止 …), derived from its times."""
from grantportal.calls import catalogue_link
from grantportal.calls.models import CallStatus
from grantportal.core import signals
from grantportal.core.db import utcnow
from grantportal.core.errors import Refused
from grantportal.core.permissions import is_officer
from grantportal.core.workflow import StateMachine, Transition


class TransitionRefused(Refused):
    """The call's workflow does not allow this step now."""


def publish_problems(call, now=None):
    """What keeps a call from being published, in words an officer can act on (empty: complete)."""
    now = now or utcnow()
    problems = []
    if not (call.summary or "").strip():
        problems.append("尚未填写征集公告摘要。")
    apply = call.apply_stage
    if apply is None or apply.opens_at is None or apply.closes_at is None:
        problems.append("尚未填写“征集申报”阶段的开始和截止时间。")
    elif apply.closes_at <= now:
        problems.append("申报截止时间已过，请改为将来的时间。")
    if not call.levels:
        problems.append("至少需要设置一个资助层级（市级、镇级或社区级）及其预算。")
    total = call.rubric_total
    if not call.criteria:
        problems.append("尚未设置评分标准。")
    elif total != 100:
        problems.append(f"评分标准各项满分合计应为100分，目前为{total}分。")
    if not call.category_list:
        problems.append("至少需要填写一个服务领域。")
    # the year's service catalogue binds a 政府购买服务 call (calls.catalogue_link)
    linked = catalogue_link.link_problem(call.kind, call.year, [link.item_id for link in call.catalogue_links])
    if linked:
        problems.append(linked)
    return problems


CALL = StateMachine(
    "call", "status", CallStatus, final=frozenset({CallStatus.CLOSED}), noun="征集",
    refusal=TransitionRefused,
    transitions=(
        Transition("publish", frozenset({CallStatus.DRAFT}), CallStatus.PUBLISHED, "发布", "项目官员",
                   is_officer, publish_problems),
        Transition("close", frozenset({CallStatus.PUBLISHED}), CallStatus.CLOSED, "结束", "项目官员",
                   is_officer, needs_confirmation=True),
    ),
    not_allowed={CallStatus.PUBLISHED: "只有草稿状态的征集才能发布。",
                 CallStatus.CLOSED: "只有已发布的征集才能结束。"},
)


def has_applications(call):
    """Once any application exists, the call's levels, rubric and code are locked."""
    return signals.ask(signals.call_has_applications, call)


def is_editable(call):
    return call.status in (CallStatus.DRAFT, CallStatus.PUBLISHED)


# The public phase of a call, as the public list shows and filters it.
class Phase:
    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    DEADLINE_PASSED = "past"
    CLOSED = "closed"


PHASE_LABELS = {
    Phase.DRAFT: ("草稿", ""),
    Phase.UPCOMING: ("即将开始", "info"),
    Phase.OPEN: ("征集中", "ok"),
    Phase.DEADLINE_PASSED: ("已截止", "warn"),
    Phase.CLOSED: ("已结束", ""),
}
PUBLIC_PHASES = [Phase.OPEN, Phase.UPCOMING, Phase.DEADLINE_PASSED, Phase.CLOSED]


def phase(call, now=None):
    now = now or utcnow()
    if call.status == CallStatus.DRAFT:
        return Phase.DRAFT
    if call.status == CallStatus.CLOSED:
        return Phase.CLOSED
    if call.opens_at and now < call.opens_at:
        return Phase.UPCOMING
    if call.deadline and now >= call.deadline:
        return Phase.DEADLINE_PASSED
    return Phase.OPEN


def accepting_applications(call, now=None):
    return phase(call, now) == Phase.OPEN and call.deadline is not None


def stage_status(stage, now=None):
    """未开始 / 进行中 / 已结束 / 时间待定 for one stage on the public timeline."""
    now = now or utcnow()
    if stage.opens_at is None or stage.closes_at is None:
        return "时间待定", ""
    if now < stage.opens_at:
        return "未开始", ""
    if now < stage.closes_at:
        return "进行中", "ok"
    return "已结束", ""
