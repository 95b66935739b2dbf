"""Chinese working days (工作日) for 公示 periods and other deadlines counted in working days.

Two sources, one counting rule:

- **The confirmed calendar** (``WorkCalendar``): the year's official holidays and make-up working days
  (调休上班) as an officer confirmed them from the State Council's notice (国务院办公厅关于某年部分节假日安排的
  通知) on the calendar page (``grantportal/calendar``). A 公示 is counted only on it: a period that reaches
  a year nobody confirmed raises ``UnconfirmedYear`` (a refusal with a Chinese message) — never a silent
  Monday–Friday.
- **The library** (``holidays``, the China calendar of the maintained python-holidays project, see README
  "依赖说明"): what the calendar page proposes for a year (``library_year``), and the default when no
  ``calendar`` is passed. For a year whose notice the library does not carry yet (``CALENDAR_YEARS``) the
  library-only functions fall back to Monday–Friday and say so (``is_working_day`` returns the source,
  ``calendar_warnings`` gives the officer a Chinese warning).

Counting rule (``add_working_days``, ``working_days_between``, ``publicity_end``): the day on which a
period starts — the day a 公示 is published — does not count; the period runs for n working days from
the next working day. This follows 民法典 第二百零一条 ("按照年、月、日计算期间的，开始的当日不计入，
自下一日开始计算") and matches published notices: a 公示 posted on Friday 2025年9月26日 with
"公示期为5个工作日" reads "公示期为2025年9月28日至2025年10月10日", ending at close of business (17:00)
on the fifth working day. Publishing on a holiday or after hours therefore never shortens the period.
"""
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import has_app_context
from holidays.countries.china import China, ChinaStaticHolidays

from grantportal.core import timeutil
from grantportal.core.errors import Refused

SOURCE_CALENDAR = "calendar"  # the library's official holidays and make-up working days
SOURCE_FALLBACK = "fallback"  # a year outside the library: Monday–Friday
SOURCE_CONFIRMED = "confirmed"  # a year an officer confirmed from the State Council's notice
DEFAULT_ZONE = "Asia/Shanghai"

# The years whose State Council notice the library carries (its table of 调休 arrangements ends with the
# last notice it knows: 2026 for holidays 0.109). Counted from 2004 as before.
CALENDAR_YEARS = range(2004, max(ChinaStaticHolidays.special_public_holidays) + 1)

_ONE_DAY = timedelta(days=1)
# "休息日（由 2026-01-04 调休）": the library names the make-up working day in the moved holiday's label
_SUBSTITUTED = re.compile(r"由 ?(\d{4}-\d{2}-\d{2}) ?调休")


class UnconfirmedYear(Refused):
    """A period counted on the confirmed calendar reaches a year whose holiday arrangement no officer
    has confirmed."""

    def __init__(self, year):
        super().__init__(f"{year}年的法定节假日安排尚未确认，无法计算公示期。请先在“节假日安排”页面按"
                         f"国务院办公厅关于{year}年部分节假日安排的通知核对并确认{year}年的放假和调休上班日期，"
                         "再发布公示。", None, 409)
        self.year = year


@dataclass(frozen=True)
class WorkCalendar:
    """The confirmed years and their days off (official holidays, including weekdays moved for 调休) and
    make-up working days (weekend days that are worked)."""

    years: frozenset = field(default_factory=frozenset)
    holidays: frozenset = field(default_factory=frozenset)
    workdays: frozenset = field(default_factory=frozenset)


def _as_date(day):
    return day.date() if isinstance(day, datetime) else day


@lru_cache(maxsize=64)
def _library(year):
    return China(years=year, language="zh_CN")


@lru_cache(maxsize=64)
def library_year(year):
    """What the library holds for ``year``: ``(holidays, workdays)``, each a sorted list of
    ``(date, name)`` — the days off on weekdays and weekends named in the notice, and the make-up working
    days (a make-up day for next year's 元旦 may fall in late December of ``year``). For a year whose notice
    the library does not carry, the holidays are its estimate of the statutory days and there are no
    make-up days: the officer completes them from the notice."""
    days_off = {d: name for d, name in _library(year).items() if d.year == year}
    workdays = {}
    for source in (year, year + 1):
        for d, name in _library(source).items():
            for found in _SUBSTITUTED.findall(name):
                made_up = date.fromisoformat(found)
                if made_up.year == year:
                    workdays[made_up] = f"调休上班（{d.isoformat()}放假）"
    return sorted(days_off.items()), sorted(workdays.items())


def is_covered(day):
    """Whether the library holds the official holiday arrangement for the year of ``day``."""
    return _as_date(day).year in CALENDAR_YEARS


def is_working_day(day, calendar=None):
    """``(True/False, source)`` for a date: a working day by the official calendar (holidays are off,
    make-up days 调休上班 are on). With a confirmed ``calendar``: its days, source ``"confirmed"``, and
    ``UnconfirmedYear`` for a year it does not hold. Without one: the library's days, source
    ``"calendar"``; for a year the library does not cover, Monday–Friday, source ``"fallback"``."""
    day = _as_date(day)
    if calendar is not None:
        if day.year not in calendar.years:
            raise UnconfirmedYear(day.year)
        if day in calendar.workdays:
            return True, SOURCE_CONFIRMED
        return (day.weekday() < 5 and day not in calendar.holidays), SOURCE_CONFIRMED
    if day.year not in CALENDAR_YEARS:
        return day.weekday() < 5, SOURCE_FALLBACK
    holidays, workdays = library_year(day.year)
    if day in dict(workdays):
        return True, SOURCE_CALENDAR
    if day in dict(holidays):
        return False, SOURCE_CALENDAR
    return day.weekday() < 5, SOURCE_CALENDAR


def _working(day, calendar=None):
    return is_working_day(day, calendar)[0]


def next_working_day(day, calendar=None):
    """The first working day strictly after ``day``."""
    day = _as_date(day) + _ONE_DAY
    while not _working(day, calendar):
        day += _ONE_DAY
    return day


def add_working_days(start, n, calendar=None):
    """The date on which a period of ``n`` working days that starts after ``start`` ends.

    ``start`` itself never counts (民法典 第二百零一条: the day the period starts is not counted): the
    first working day after ``start`` is day 1, and the result is the n-th working day after
    ``start``. So a 公示 published on Friday 2026-03-06 for 5 working days ends on Friday 2026-03-13
    (Mon 9 … Fri 13), and the result is always a working day. ``n`` must be at least 1. With a confirmed
    ``calendar``, every day counted must lie in a confirmed year (else ``UnconfirmedYear``).
    """
    if n < 1:
        raise ValueError("工作日天数至少为1天。")
    day = _as_date(start)
    for _ in range(n):
        day = next_working_day(day, calendar)
    return day


def working_days_between(a, b):
    """The number of working days ``d`` with ``a < d <= b`` — the same rule as ``add_working_days``
    (the start day does not count, the end day does), so
    ``working_days_between(a, add_working_days(a, n)) == n``. 0 when ``b`` is not after ``a``."""
    a, b = _as_date(a), _as_date(b)
    count = 0
    day = a + _ONE_DAY
    while day <= b:
        count += _working(day)
        day += _ONE_DAY
    return count


def _zone(zone):
    if zone is None:
        return timeutil.site_zone() if has_app_context() else ZoneInfo(DEFAULT_ZONE)
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def publicity_end(published_at_utc, n, end_hour=17, zone=None, calendar=None):
    """When a 公示 of ``n`` working days published at ``published_at_utc`` (aware) ends: ``end_hour``
    o'clock (default 17:00, close of office hours) local time on the n-th working day after the local
    date of publication, as an aware UTC datetime.

    ``zone`` is a ``ZoneInfo`` or a zone name; by default the site's zone (``TIMEZONE``) inside an app,
    Asia/Shanghai without one. ``calendar``: count on a confirmed ``WorkCalendar`` (see
    ``add_working_days``).
    """
    if published_at_utc.tzinfo is None:
        raise ValueError("发布时间必须带时区（UTC）。")
    tz = _zone(zone)
    published_on = published_at_utc.astimezone(tz).date()
    last_day = add_working_days(published_on, n, calendar)
    return datetime.combine(last_day, time(end_hour), tzinfo=tz).astimezone(UTC)


def calendar_warnings(start, end):
    """Chinese warnings for the officer, one per year between ``start`` and ``end`` (inclusive, in
    either order) that the library does not cover and that was therefore counted Monday–Friday."""
    first, last = sorted((_as_date(start), _as_date(end)))
    return [f"{year}年的法定节假日安排尚未收录，已按周一至周五计算，请人工核对。"
            for year in range(first.year, last.year + 1) if year not in CALENDAR_YEARS]


def calendar_coverage_text():
    """"节假日数据覆盖2004年至2026年" — for the officer's settings page (what the library carries; the
    公示 counts only on years an officer confirmed)."""
    return f"节假日数据覆盖{CALENDAR_YEARS.start}年至{CALENDAR_YEARS.stop - 1}年"


__all__ = [
    "CALENDAR_YEARS",
    "SOURCE_CALENDAR",
    "SOURCE_CONFIRMED",
    "SOURCE_FALLBACK",
    "UnconfirmedYear",
    "WorkCalendar",
    "add_working_days",
    "calendar_coverage_text",
    "calendar_warnings",
    "is_covered",
    "is_working_day",
    "library_year",
    "next_working_day",
    "publicity_end",
    "working_days_between",
]
