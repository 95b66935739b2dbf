"""Writes on the working-day calendar: an officer confirms a year from the State Council's notice. Flushes,
never commits; the audit log records the year and every day with before/after values."""
from grantportal.calendar.models import CalendarDay, CalendarYear, DayKind
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.errors import Refused


class CalendarRefused(Refused):
    """The arrangement as entered cannot be confirmed; the message names the day and the field."""


def confirm_year(year, holidays, workdays, notice_title, notice_number, user, now=None):
    """Store ``year``'s arrangement as confirmed from the notice ``notice_title`` (``notice_number``):
    ``holidays`` and ``workdays`` are lists of ``(date, name)``. Confirming again replaces the year's days
    (a correction notice, e.g. 2020's extended 春节), audited like the first confirmation."""
    for field, days in (("holidays", holidays), ("workdays", workdays)):
        for day, _ in days:
            if day.year != year:
                raise CalendarRefused(f"{day.isoformat()}不在{year}年内，请只填写{year}年的日期。", field, 400)
    for day, _ in workdays:
        if day.weekday() < 5:
            raise CalendarRefused(f"{day.isoformat()}是周一至周五，本来就是工作日，不是调休上班日。", "workdays", 400)
    both = {d for d, _ in holidays} & {d for d, _ in workdays}
    if both:
        day = min(both).isoformat()
        raise CalendarRefused(f"{day}同时填写为放假和调休上班，请核对通知。", "workdays", 400)
    with audit_action("calendar.year_confirm"):
        record = db.session.get(CalendarYear, year)
        if record is None:
            record = CalendarYear(year=year)
            db.session.add(record)
        record.notice_title, record.notice_number = notice_title, notice_number or None
        record.confirmed_by_id, record.confirmed_at = getattr(user, "id", None), now or utcnow()
        for old in list(record.days):
            record.days.remove(old)
        db.session.flush()
        for kind, days in ((DayKind.HOLIDAY, holidays), (DayKind.WORKDAY, workdays)):
            for day, name in days:
                record.days.append(CalendarDay(year=year, day=day, kind=kind, name=name or ""))
        db.session.flush()
    return record
