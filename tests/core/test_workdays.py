"""Chinese working days on known dates, and the counting rule's properties."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grantportal.core.workdays import (
    CALENDAR_YEARS,
    SOURCE_CALENDAR,
    SOURCE_FALLBACK,
    add_working_days,
    calendar_warnings,
    is_working_day,
    publicity_end,
    working_days_between,
)

pytestmark = pytest.mark.nodb
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_UNCOVERED = CALENDAR_YEARS.stop  # the first year after the library's data


def shanghai(*args):
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)


# 国庆 2025 (国务院办公厅关于2025年部分节假日安排的通知): 10月1日至8日放假，9月28日（周日）、
# 10月11日（周六）上班.
def test_national_day_2025_holidays_and_make_up_days():
    for day in range(1, 9):
        assert is_working_day(date(2025, 10, day)) == (False, SOURCE_CALENDAR)
    assert is_working_day(date(2025, 9, 28)) == (True, SOURCE_CALENDAR)  # Sunday, 调休上班
    assert is_working_day(date(2025, 10, 11)) == (True, SOURCE_CALENDAR)  # Saturday, 调休上班
    assert is_working_day(date(2025, 9, 27)) == (False, SOURCE_CALENDAR)  # an ordinary Saturday
    assert is_working_day(date(2025, 10, 12)) == (False, SOURCE_CALENDAR)


def test_publicity_spanning_national_day_2025_counts_the_make_up_sunday():
    # published Friday 26 September: Sun 28, Mon 29, Tue 30, Thu 9 Oct, Fri 10 Oct
    assert add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 10)) == 5


def test_period_starting_the_day_before_a_holiday():
    # published Tuesday 30 September, the last working day before 国庆: Thu 9, Fri 10, Sat 11 (调休),
    # Mon 13, Tue 14 October
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


# 春节 2026, as the holiday library carries it (国务院办公厅关于2026年部分节假日安排的通知):
# 2月15日（农历腊月二十八）至23日放假调休，共9天；2月14日（周六）、2月28日（周六）上班.
def test_spring_festival_2026_as_in_the_library():
    for offset in range(9):
        assert is_working_day(date(2026, 2, 15) + timedelta(days=offset)) == (False, SOURCE_CALENDAR)
    assert is_working_day(date(2026, 2, 14)) == (True, SOURCE_CALENDAR)  # Saturday, 调休上班
    assert is_working_day(date(2026, 2, 28)) == (True, SOURCE_CALENDAR)  # Saturday, 调休上班
    assert is_working_day(date(2026, 2, 24)) == (True, SOURCE_CALENDAR)


def test_publicity_spanning_spring_festival_2026():
    # published Friday 13 February: Sat 14 (调休), then Tue 24, Wed 25, Thu 26, Fri 27
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    # 7 working days (中山): … Fri 27, Sat 28 (调休), Mon 2 March
    assert add_working_days(date(2026, 2, 13), 7) == date(2026, 3, 2)
    assert working_days_between(date(2026, 2, 13), date(2026, 3, 2)) == 7


def test_five_working_days_from_an_ordinary_friday():
    assert add_working_days(date(2026, 3, 6), 5) == date(2026, 3, 13)
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5


def test_publication_day_does_not_count_even_on_a_working_day():
    assert add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)  # Monday → Tuesday


def test_publicity_end_is_five_pm_shanghai_of_the_last_working_day():
    end = publicity_end(shanghai(2025, 9, 26, 10, 0), 5)
    assert end == shanghai(2025, 10, 10, 17, 0)
    assert end.tzinfo == UTC and end.hour == 9


def test_publicity_end_uses_the_local_date_not_the_utc_date():
    # 01:00 on Friday 6 March in 北京时间 is still Thursday 5 March in UTC
    published = shanghai(2026, 3, 6, 1, 0)
    assert published.date() == date(2026, 3, 5)
    assert publicity_end(published, 5) == shanghai(2026, 3, 13, 17, 0)


def test_publicity_end_in_another_zone_and_hour():
    end = publicity_end(datetime(2026, 3, 6, 1, 0, tzinfo=UTC), 5, end_hour=18, zone="UTC")
    assert end == datetime(2026, 3, 13, 18, 0, tzinfo=UTC)


def test_publicity_end_refuses_naive_times_and_empty_periods():
    with pytest.raises(ValueError):
        publicity_end(datetime(2026, 3, 6, 10, 0), 5)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 6), 0)


def test_year_outside_the_library_falls_back_to_weekdays_with_a_warning():
    assert 2031 not in CALENDAR_YEARS
    # 2031-01-01 (元旦, a Wednesday) counts: the fallback knows no holidays
    assert is_working_day(date(2031, 1, 1)) == (True, SOURCE_FALLBACK)
    assert is_working_day(date(2031, 1, 4)) == (False, SOURCE_FALLBACK)  # Saturday
    assert add_working_days(date(2031, 1, 3), 5) == date(2031, 1, 10)  # Friday to Friday
    assert calendar_warnings(date(2031, 1, 3), date(2031, 1, 10)) == [
        "2031年的法定节假日安排尚未收录，已按周一至周五计算，请人工核对。"]


def test_a_period_running_into_an_uncovered_year_warns_for_that_year_only():
    last_covered = CALENDAR_YEARS.stop - 1
    start = date(last_covered, 12, 28)
    end = add_working_days(start, 5)
    assert end.year == FIRST_UNCOVERED
    assert calendar_warnings(start, end) == [
        f"{FIRST_UNCOVERED}年的法定节假日安排尚未收录，已按周一至周五计算，请人工核对。"]
    assert calendar_warnings(date(2025, 9, 26), date(2025, 10, 10)) == []


covered_days = st.dates(date(CALENDAR_YEARS.start, 1, 1), date(CALENDAR_YEARS.stop - 1, 12, 31))
any_days = st.dates(date(CALENDAR_YEARS.start, 1, 1), date(2040, 12, 31))
fallback_days = st.dates(date(FIRST_UNCOVERED, 1, 1), date(2099, 12, 31))
lengths = st.integers(1, 30)


@settings(max_examples=300, deadline=None)
@given(any_days, lengths)
def test_the_end_is_always_a_working_day_after_the_start(start, n):
    end = add_working_days(start, n)
    assert end > start
    assert is_working_day(end)[0]
    assert working_days_between(start, end) == n


@settings(max_examples=300, deadline=None)
@given(any_days, lengths)
def test_one_more_day_ends_strictly_later(start, n):
    assert add_working_days(start, n + 1) > add_working_days(start, n)


@settings(max_examples=300, deadline=None)
@given(covered_days)
def test_calendar_years_never_fall_back(day):
    assert is_working_day(day)[1] == SOURCE_CALENDAR
    assert calendar_warnings(day, day) == []


@settings(max_examples=300, deadline=None)
@given(fallback_days, lengths)
def test_weekends_in_fallback_years_never_count(start, n):
    end = add_working_days(start, n)
    assert end.weekday() < 5
    week = [start + timedelta(days=i) for i in range(7)]
    assert [d for d in week if is_working_day(d) == (False, SOURCE_FALLBACK)] == [
        d for d in week if d.weekday() >= 5]
    assert working_days_between(start, start + timedelta(days=7)) == 5
    assert calendar_warnings(start, end)  # the officer is always told
