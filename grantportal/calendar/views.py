"""节假日安排: each year's official holidays and make-up working days, proposed from the library and confirmed
by an officer from the State Council's notice. 公示 periods are counted only in confirmed years."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from grantportal.calendar import operations as ops
from grantportal.calendar.forms import ConfirmYearForm, days_text
from grantportal.calendar.permissions import can_confirm_calendar, can_view_calendar
from grantportal.calendar.queries import calendar_year, days_table, proposed_days, year_overview
from grantportal.core.db import db
from grantportal.core.forms import refusal
from grantportal.core.permissions import require
from grantportal.core.timeutil import local_today
from grantportal.core.workdays import CALENDAR_YEARS

bp = Blueprint("calendar", __name__)

FIRST_YEAR, LAST_YEAR = 2000, 2100


@bp.route("/manage/calendar/")
@login_required
def index():
    require(can_view_calendar(current_user))
    this_year = local_today().year
    return render_template("calendar/index.html", years=year_overview(range(this_year - 1, this_year + 3)),
                           library_last=CALENDAR_YEARS.stop - 1)


@bp.route("/manage/calendar/<int:year>", methods=["GET", "POST"])
@login_required
def year(year):
    require(can_confirm_calendar(current_user) if request.method == "POST" else can_view_calendar(current_user))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    can_confirm = bool(can_confirm_calendar(current_user))
    confirmed = calendar_year(year)
    holidays, workdays = proposed_days(year)
    form = ConfirmYearForm()
    if request.method == "GET":
        form.holidays.data, form.workdays.data = days_text(holidays), days_text(workdays)
        if confirmed is not None:
            form.notice_title.data, form.notice_number.data = confirmed.notice_title, confirmed.notice_number
        else:
            form.notice_title.data = f"国务院办公厅关于{year}年部分节假日安排的通知"
    elif form.validate_on_submit():
        try:
            ops.confirm_year(year, form.holiday_days, form.workday_days, form.notice_title.data,
                             form.notice_number.data, current_user)
        except ops.CalendarRefused as e:
            db.session.rollback()
            confirmed = calendar_year(year)  # read again here, not while the page renders
            refusal(form, e)
        else:
            db.session.commit()
            flash(f"已确认{year}年节假日安排，公示期将按此计算。", "success")
            return redirect(url_for("calendar.year", year=year))
    return render_template("calendar/year.html", year=year, confirmed=confirmed, form=form,
                           can_confirm=can_confirm, rows=days_table(holidays, workdays),
                           in_library=year in CALENDAR_YEARS)
