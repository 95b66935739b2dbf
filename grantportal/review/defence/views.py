"""Officer side of a defence day (答辩日): the running-order draws with their replay, the day's slots and the
forms to draw, schedule and record attendance. Auditors read the page without the forms. Every write goes
through ``review.defence.operations`` and is committed here, once."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from grantportal.applications.models import Application
from grantportal.core.commits import commit_or_refusal
from grantportal.core.db import db
from grantportal.core.paging import get_or_404
from grantportal.core.permissions import require
from grantportal.core.timeutil import format_datetime
from grantportal.review.defence import operations as ops
from grantportal.review.defence.forms import AttendanceForm, DayForm, DrawForm
from grantportal.review.defence.order import replay
from grantportal.review.defence.permissions import can_schedule_defence, can_view_defence_day
from grantportal.review.models import Attendance, DefenceDraw, DefenceSlot, ReviewRound, RoundKind

bp = Blueprint("defence", __name__)


def _round(round_id):
    rnd = db.get_or_404(ReviewRound, round_id)
    if rnd.kind != RoundKind.DEFENCE:
        abort(404)
    return rnd


def _link(application):
    return url_for("applications.detail", app_id=application.id)


def _page(rnd, draw_form=None, day_form=None, message=None, status=200):
    draws = db.session.scalars(sa.select(DefenceDraw).where(DefenceDraw.round_id == rnd.id)
                               .options(joinedload(DefenceDraw.created_by)).order_by(DefenceDraw.id.desc())).all()
    latest = draws[0] if draws else None
    slots = ops.round_slots(rnd)
    scheduled = {s.application_id for s in slots}
    order = latest.order if latest is not None else []
    names = {}
    if latest is not None:
        names = {a.id: a for a in db.session.scalars(sa.select(Application).where(Application.id.in_(latest.order)))}
    return render_template(
        "review/defence/day.html", rnd=rnd, call=rnd.call, draws=[(d, replay(d)[1]) for d in draws],
        latest=latest, names=names, slots=slots, waiting=[i for i in order if i not in scheduled],
        can_schedule=can_schedule_defence(current_user, rnd), draw_form=draw_form or DrawForm(formdata=None),
        day_form=day_form or DayForm(formdata=None), attendance_form=AttendanceForm(formdata=None),
        message=message), status


@bp.route("/manage/rounds/<int:round_id>/defence")
@login_required
def day(round_id):
    rnd = _round(round_id)
    require(can_view_defence_day(current_user, rnd))
    return _page(rnd)


@bp.route("/manage/rounds/<int:round_id>/defence/draw", methods=["POST"])
@login_required
def draw(round_id):
    rnd = _round(round_id)
    require(can_schedule_defence(current_user, rnd))
    form = DrawForm()
    if form.validate_on_submit():
        with commit_or_refusal(form) as attempt:
            record = ops.draw_order(rnd, current_user, form.reason.data, link_for=_link)
        if attempt.ok:
            flash(f"已随机抽取出场顺序（随机种子 {record.seed}），抽签记录已存档。", "success")
            return redirect(url_for("defence.day", round_id=rnd.id))
        if attempt.message:
            abort(attempt.status, attempt.message)
    return _page(rnd, draw_form=form)


@bp.route("/manage/rounds/<int:round_id>/defence/day", methods=["POST"])
@login_required
def schedule(round_id):
    rnd = _round(round_id)
    require(can_schedule_defence(current_user, rnd))
    form = DayForm()
    message = None
    if form.validate_on_submit():
        with commit_or_refusal(form) as attempt:
            slots = ops.schedule_day(rnd, form.to_data(), current_user, link_for=_link)
        if attempt.ok:
            flash(f"已安排{len(slots)}个答辩时段，并已通知相关申报机构。", "success")
            return redirect(url_for("defence.day", round_id=rnd.id))
        message = attempt.message
    return _page(rnd, day_form=form, message=message)


@bp.route("/manage/defence-slots/<int:slot_id>/attendance", methods=["POST"])
@login_required
def attendance(slot_id):
    slot = get_or_404(DefenceSlot, slot_id, joinedload(DefenceSlot.round))
    rnd = slot.round
    require(can_schedule_defence(current_user, rnd))
    form = AttendanceForm()
    if not form.validate_on_submit():  # the day page again, saying what is missing; nothing recorded
        problem = "；".join(e for errors in form.errors.values() for e in errors) or "请选择到场或缺席。"
        return _page(rnd, message=f"{format_datetime(slot.starts_at)}开始的场次未登记：{problem}", status=400)
    with commit_or_refusal(form) as attempt:
        ops.record_attendance(slot, Attendance(form.status.data), form.note.data, current_user, link_for=_link)
    if not attempt.ok:
        return _page(rnd, message=attempt.message or "未能登记到场情况。", status=attempt.status or 409)
    flash("已登记到场情况，并已通知申报机构。", "success")
    return redirect(url_for("defence.day", round_id=rnd.id) + f"#slot-{slot.id}")
