"""Defence days (答辩日) of a 答辩/路演 round: the random running order (logged, replayable, redrawn only with a
reason), a day's slots created in one go in that order, the organizations' notices, and attendance.

Rules kept here (issue 14):
- one applicant per slot: a round's slots never overlap in time (the panel sits in one room at a time);
- a slot lies inside the round's window (opens_at … closes_at);
- two slots at one venue never overlap, whichever round they belong to;
- a no-show (缺席) is recorded, not scored: the round's results leave the application's scores out and show it
  as 答辩缺席 (results/aggregate.py ``round_figures``), never a silent zero.
Every write is audited and flushes; the view commits once. Notices go to the organization's members
(orgs/notices.py) and leave after the commit (core/notices.py)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused
from grantportal.core.timeutil import format_datetime, local_to_utc
from grantportal.core.wording import quoted
from grantportal.orgs.notices import notify_org
from grantportal.review.defence.order import running_order
from grantportal.review.models import Attendance, DefenceDraw, DefenceSlot, RoundKind, RoundStatus
from grantportal.review.panels.draw import new_seed
from grantportal.review.rounds.operations import entering_applications, lock_round

NO_SHOW_CONSEQUENCE = "按评审规则，缺席视为放弃本轮答辩，本轮不计分，评审结果中标注为“答辩缺席”。"


class DefenceRefused(Refused):
    """A defence-day change the rules or the round's state do not allow; ``field`` names the form field."""


@dataclass
class DayPlan:
    """A defence day as the officer typed it (Asia/Shanghai wall-clock times)."""

    day: date
    first_start: time
    minutes: int
    break_minutes: int = 0
    count: int | None = None  # how many of the not yet scheduled applications, in running order (None: all)
    venue: str = ""
    meeting_link: str = ""
    bring: str = ""


def _check_round(rnd):
    if rnd.kind != RoundKind.DEFENCE:
        raise DefenceRefused("本轮不是答辩/路演轮次。")
    if rnd.status == RoundStatus.CLOSED:
        raise DefenceRefused("本轮评审已结束，不能再更改答辩安排。")


def latest_draw(rnd):
    return db.session.scalar(sa.select(DefenceDraw).where(DefenceDraw.round_id == rnd.id)
                             .order_by(DefenceDraw.id.desc()).limit(1))


def round_slots(rnd):
    """The round's slots in time order, with their applications and organizations."""
    return db.session.scalars(sa.select(DefenceSlot).where(DefenceSlot.round_id == rnd.id)
                              .options(joinedload(DefenceSlot.application).joinedload(Application.org))
                              .order_by(DefenceSlot.starts_at, DefenceSlot.id)).all()


def slot_text(slot):
    where = "；".join(p for p in (f"地点：{slot.venue}" if slot.venue else "",
                                   f"线上会议：{slot.meeting_link}" if slot.meeting_link else "") if p)
    text = f"时间：{slot.when}（北京时间，{slot.minutes}分钟）；{where}。"
    if slot.bring:
        text += f"请携带：{slot.bring}。"
    return text


def _notify_slot(slot, rnd, link_for, changed=False):
    application = slot.application
    title = f"{'答辩时段调整' if changed else '答辩时段通知'}：{rnd.call.title}·{rnd.name}"
    body = (f"贵机构申报的{quoted(application.title)}（{application.display_number}）"
            f"{'答辩顺序已重新抽签，调整后的' if changed else '的'}答辩安排如下。{slot_text(slot)}"
            "请提前15分钟到场（或进入线上会议）签到；无故缺席视为放弃本轮答辩，本轮不计分。")
    notify_org(application.org, title, body, link_for(application) if link_for else None)


def draw_order(rnd, user, reason="", link_for=None):
    """Draw the round's running order at random and log it. A redraw needs a reason; the earlier draws stay in
    the log. Slots already scheduled keep their times and take the applications in the new order (their
    organizations are told); once attendance is recorded the order can no longer be redrawn."""
    _check_round(rnd)
    lock_round(rnd)
    previous = latest_draw(rnd)
    reason = (reason or "").strip()
    if previous is not None and not reason:
        raise DefenceRefused("已抽过出场顺序，重新抽签须填写理由，将记入审计日志。", field="reason")
    slots = round_slots(rnd)
    if any(s.attendance != Attendance.PENDING for s in slots):
        raise DefenceRefused("已开始登记到场情况，不能重新抽签。")
    entrants = sorted(a.id for a in entering_applications(rnd))
    if not entrants:
        raise DefenceRefused("没有进入本轮答辩的申报，无法抽签。")
    seed = new_seed()
    record = DefenceDraw(round_id=rnd.id, seed=seed, entrants=entrants, order=running_order(entrants, seed),
                         reason=reason or None, created_by_id=user.id)
    with audit_action("defence.redraw" if previous is not None else "defence.draw"):
        db.session.add(record)
        if slots:
            scheduled = {s.application_id for s in slots}
            # an application scheduled but no longer entering (withdrawn) keeps its place after the others
            new_order = [i for i in record.order if i in scheduled] \
                + [s.application_id for s in slots if s.application_id not in set(record.order)]
            moved = []
            for slot, app_id in zip(slots, new_order, strict=True):
                if slot.application_id != app_id:
                    slot.application_id = app_id
                    moved.append(slot)
            db.session.flush()
            for slot in moved:
                db.session.refresh(slot, ["application"])
                _notify_slot(slot, rnd, link_for, changed=True)
        db.session.flush()
    return record


def plan_starts(plan):
    """The UTC start of each of ``n`` slots of ``plan``: a generator of starts one slot plus break apart."""
    start = local_to_utc(datetime.combine(plan.day, plan.first_start))
    step = timedelta(minutes=plan.minutes + plan.break_minutes)
    while True:
        yield start
        start += step


def _overlaps(starts_at, ends_at, others):
    return [o for o in others if o.starts_at < ends_at and starts_at < o.ends_at]


def schedule_day(rnd, plan, user, link_for=None):
    """Create a day's slots for the applications not yet scheduled, in the drawn running order, and tell each
    organization its slot. Refused, with nothing saved, when a slot would fall outside the round's window, overlap
    another slot of the round (two applicants at one time) or another slot at the same venue."""
    _check_round(rnd)
    lock_round(rnd)
    draw = latest_draw(rnd)
    if draw is None:
        raise DefenceRefused("请先抽取出场顺序，再安排答辩时段。")
    existing = round_slots(rnd)
    done = {s.application_id for s in existing}
    waiting = [i for i in draw.order if i not in done]
    if not waiting:
        raise DefenceRefused("本轮全部申报均已安排答辩时段。", field="count")
    if plan.count is not None:
        if plan.count > len(waiting):
            raise DefenceRefused(f"尚未安排的申报只有{len(waiting)}个，本日场次数不能多于此数。", field="count")
        waiting = waiting[:plan.count]
    starts = plan_starts(plan)
    new = [DefenceSlot(round_id=rnd.id, application_id=app_id, starts_at=next(starts), minutes=plan.minutes,
                       venue=plan.venue, meeting_link=plan.meeting_link, bring=plan.bring, created_by_id=user.id)
           for app_id in waiting]
    first, last = new[0], new[-1]
    if (rnd.opens_at and first.starts_at < rnd.opens_at) or (rnd.closes_at and last.ends_at > rnd.closes_at):
        raise DefenceRefused(
            f"答辩时段须在本轮评审时间内（{format_datetime(rnd.opens_at) or '不限'}至"
            f"{format_datetime(rnd.closes_at) or '不限'}，北京时间）；按此安排，第一场开始于"
            f"{format_datetime(first.starts_at)}，最后一场结束于{format_datetime(last.ends_at)}。", field="first_start")
    for slot in new:
        clash = _overlaps(slot.starts_at, slot.ends_at, existing)
        if clash:
            raise DefenceRefused(
                f"同一时段不能安排两个申报：{format_datetime(slot.starts_at)}起的时段与本轮已安排的"
                f"{format_datetime(clash[0].starts_at)}起的时段重叠，请调整开始时间或日期。", field="first_start")
    if plan.venue:
        others = db.session.scalars(sa.select(DefenceSlot).where(
            DefenceSlot.venue == plan.venue, DefenceSlot.round_id != rnd.id,
            DefenceSlot.starts_at < last.ends_at,
            DefenceSlot.starts_at > first.starts_at - timedelta(days=1))).all()
        for slot in new:
            clash = _overlaps(slot.starts_at, slot.ends_at, others)
            if clash:
                raise DefenceRefused(
                    f"该场地在{format_datetime(clash[0].starts_at)}起已有其他答辩安排，与本次时段重叠，"
                    "请更换场地或调整时间。", field="venue")
    with audit_action("defence.schedule"):
        db.session.add_all(new)
        db.session.flush()
        for slot in new:
            db.session.refresh(slot, ["application"])
            _notify_slot(slot, rnd, link_for)
        db.session.flush()
    return new


def record_attendance(slot, status, note, user, link_for=None):
    """Record 到场 or 缺席 for one slot (and tell the organization). A no-show's consequence is stated in the
    notice and on the results: the application is not scored in this round."""
    rnd = slot.round
    _check_round(rnd)
    if status not in (Attendance.PRESENT, Attendance.ABSENT):
        raise DefenceRefused("请选择到场或缺席。", field="status")
    lock_round(rnd)
    with audit_action("defence.attendance"):
        slot.attendance, slot.attendance_note = status, (note or "").strip()
        slot.attendance_at, slot.attendance_by_id = utcnow(), user.id
        application = slot.application
        if status == Attendance.ABSENT:
            title = f"答辩缺席登记：{rnd.call.title}·{rnd.name}"
            body = (f"贵机构申报的{quoted(application.title)}（{application.display_number}）未按时参加"
                    f"{format_datetime(slot.starts_at)}的答辩，已登记为缺席。{NO_SHOW_CONSEQUENCE}"
                    + (f"说明：{slot.attendance_note}" if slot.attendance_note else ""))
        else:
            title = f"答辩到场登记：{rnd.call.title}·{rnd.name}"
            body = (f"贵机构申报的{quoted(application.title)}（{application.display_number}）已登记参加"
                    f"{format_datetime(slot.starts_at)}的答辩，专家评分将在本轮评审结果公布后可见。")
        notify_org(application.org, title, body, link_for(application) if link_for else None)
        db.session.flush()
    return slot

