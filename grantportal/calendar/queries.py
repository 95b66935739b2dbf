"""Reads of the confirmed working-day calendar, and the 公示 end counted on it."""

from sqlalchemy.orm import selectinload

from grantportal.calendar.models import CalendarDay, CalendarYear, DayKind
from grantportal.core.db import db
from grantportal.core.timeutil import to_local
from grantportal.core.workdays import CALENDAR_YEARS, WorkCalendar, library_year, publicity_end


def confirmed_calendar(first_year, last_year):
    """The confirmed years between ``first_year`` and ``last_year`` (inclusive) with their days."""
    years = frozenset(db.session.scalars(
        db.select(CalendarYear.year).where(CalendarYear.year.between(first_year, last_year))))
    rows = db.session.execute(db.select(CalendarDay.day, CalendarDay.kind)
                              .where(CalendarDay.year.in_(years))).all() if years else []
    return WorkCalendar(years=years,
                        holidays=frozenset(d for d, k in rows if k == DayKind.HOLIDAY),
                        workdays=frozenset(d for d, k in rows if k == DayKind.WORKDAY))


def confirmed_publicity_end(published_at_utc, n):
    """When a 公示 of ``n`` working days published at ``published_at_utc`` ends, counted on the confirmed
    calendar only (core.workdays.publicity_end). A period that reaches an unconfirmed year raises
    ``core.workdays.UnconfirmedYear`` with the year to confirm — never a silent Monday–Friday. A period of
    at most 30 working days cannot run past the next year, so two years are loaded."""
    year = to_local(published_at_utc).year
    return publicity_end(published_at_utc, n, calendar=confirmed_calendar(year, year + 1))


def calendar_year(year):
    """The confirmed year with its days and who confirmed it (loaded here, not while the page renders)."""
    return db.session.scalar(db.select(CalendarYear).where(CalendarYear.year == year)
                             .options(selectinload(CalendarYear.days), selectinload(CalendarYear.confirmed_by)))


def year_overview(years):
    """For the list page: each year with its confirmation (or None) and whether the library carries its
    notice."""
    confirmed = {c.year: c for c in db.session.scalars(
        db.select(CalendarYear).where(CalendarYear.year.in_(years)).options(selectinload(CalendarYear.confirmed_by)))}
    return [{"year": y, "confirmed": confirmed.get(y), "in_library": y in CALENDAR_YEARS} for y in years]


def proposed_days(year):
    """The days to show for confirmation: the stored ones once confirmed, else the library's."""
    stored = calendar_year(year)
    if stored is not None:
        holidays = [(d.day, d.name) for d in stored.days if d.kind == DayKind.HOLIDAY]
        workdays = [(d.day, d.name) for d in stored.days if d.kind == DayKind.WORKDAY]
        return holidays, workdays
    return library_year(year)


def days_table(holidays, workdays):
    """Rows for the page, in date order: date, weekday, kind label, name."""
    weekdays = "一二三四五六日"
    rows = [(d, DayKind.HOLIDAY, n) for d, n in holidays] + [(d, DayKind.WORKDAY, n) for d, n in workdays]
    return [{"day": d, "weekday": f"星期{weekdays[d.weekday()]}", "kind": k.label, "name": n,
             "weekend": d.weekday() >= 5} for d, k, n in sorted(rows, key=lambda r: r[0])]
