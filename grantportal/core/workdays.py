"""Chinese working days (工作日) for 公示 periods and other deadlines counted in working days.

The calendar is the maintained ``chinesecalendar`` library (import name ``chinese_calendar``), which
carries the State Council's yearly holiday notices (国务院办公厅关于某年部分节假日安排的通知): the
official holidays and the make-up working days (调休上班) on Saturdays and Sundays. For a year the
library does not cover (not yet announced, or before its first year) we fall back to Monday–Friday and
say so: ``is_working_day`` returns the source, ``calendar_warnings`` gives the officer a Chinese warning.

Counting rule (``add_working_days``, ``working_days_between``, ``publicity_end``): the day on which a
period starts — the day a 公示 is published — does not count; the period runs for n working days from
the next working day. This follows 民法典 第二百零一条 ("按照年、月、日计算期间的，开始的当日不计入，
自下一日开始计算") and matches published notices: a 公示 posted on Friday 2025年9月26日 with
"公示期为5个工作日" reads "公示期为2025年9月28日至2025年10月10日", ending at close of business (17:00)
on the fifth working day. Publishing on a holiday or after hours therefore never shortens the period.
"""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chinese_calendar import constants as _cc
from flask import has_app_context

from grantportal.core import timeutil

SOURCE_CALENDAR = "calendar"  # the library's official holidays and make-up working days
SOURCE_FALLBACK = "fallback"  # a year outside the library: Monday–Friday
DEFAULT_ZONE = "Asia/Shanghai"

# The years the library's data covers, e.g. range(2004, 2027) for chinesecalendar 1.11.0.
CALENDAR_YEARS = range(min(_cc.holidays).year, max(_cc.holidays).year + 1)

_ONE_DAY = timedelta(days=1)


def _as_date(day):
    return day.date() if isinstance(day, datetime) else day


def is_covered(day):
    """Whether the library holds the official holiday arrangement for the year of ``day``."""
    return _as_date(day).year in CALENDAR_YEARS


def is_working_day(day):
    """``(True/False, source)`` for a date: a working day by the official calendar (holidays are off,
    make-up days 调休上班 are on), source ``"calendar"``; for a year the library does not cover,
    Monday–Friday, source ``"fallback"``."""
    day = _as_date(day)
    if day.year not in CALENDAR_YEARS:
        return day.weekday() < 5, SOURCE_FALLBACK
    if day in _cc.workdays:
        return True, SOURCE_CALENDAR
    if day in _cc.holidays:
        return False, SOURCE_CALENDAR
    return day.weekday() < 5, SOURCE_CALENDAR


def _working(day):
    return is_working_day(day)[0]


def next_working_day(day):
    """The first working day strictly after ``day``."""
    day = _as_date(day) + _ONE_DAY
    while not _working(day):
        day += _ONE_DAY
    return day


def add_working_days(start, n):
    """The date on which a period of ``n`` working days that starts after ``start`` ends.

    ``start`` itself never counts (民法典 第二百零一条: the day the period starts is not counted): the
    first working day after ``start`` is day 1, and the result is the n-th working day after
    ``start``. So a 公示 published on Friday 2026-03-06 for 5 working days ends on Friday 2026-03-13
    (Mon 9 … Fri 13), and the result is always a working day. ``n`` must be at least 1.
    """
    if n < 1:
        raise ValueError("工作日天数至少为1天。")
    day = _as_date(start)
    for _ in range(n):
        day = next_working_day(day)
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


def publicity_end(published_at_utc, n, end_hour=17, zone=None):
    """When a 公示 of ``n`` working days published at ``published_at_utc`` (aware) ends: ``end_hour``
    o'clock (default 17:00, close of office hours) local time on the n-th working day after the local
    date of publication, as an aware UTC datetime.

    ``zone`` is a ``ZoneInfo`` or a zone name; by default the site's zone (``TIMEZONE``) inside an app,
    Asia/Shanghai without one.
    """
    if published_at_utc.tzinfo is None:
        raise ValueError("发布时间必须带时区（UTC）。")
    tz = _zone(zone)
    published_on = published_at_utc.astimezone(tz).date()
    last_day = add_working_days(published_on, n)
    return datetime.combine(last_day, time(end_hour), tzinfo=tz).astimezone(UTC)


def calendar_warnings(start, end):
    """Chinese warnings for the officer, one per year between ``start`` and ``end`` (inclusive, in
    either order) that the library does not cover and that was therefore counted Monday–Friday."""
    first, last = sorted((_as_date(start), _as_date(end)))
    return [f"{year}年的法定节假日安排尚未收录，已按周一至周五计算，请人工核对。"
            for year in range(first.year, last.year + 1) if year not in CALENDAR_YEARS]


def calendar_coverage_text():
    """"节假日数据覆盖2004年至2026年" — for the officer's settings page."""
    return f"节假日数据覆盖{CALENDAR_YEARS.start}年至{CALENDAR_YEARS.stop - 1}年"


__all__ = [
    "CALENDAR_YEARS",
    "SOURCE_CALENDAR",
    "SOURCE_FALLBACK",
    "add_working_days",
    "calendar_coverage_text",
    "calendar_warnings",
    "is_covered",
    "is_working_day",
    "next_working_day",
    "publicity_end",
    "working_days_between",
]
